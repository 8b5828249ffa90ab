package io.jcontainerd.supervisor.services;

import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.cri.v1.ContainerStatusRequest;
import io.jcontainerd.api.cri.v1.ContainerStatusResponse;
import io.jcontainerd.api.cri.v1.CreateContainerRequest;
import io.jcontainerd.api.cri.v1.CreateContainerResponse;
import io.jcontainerd.api.cri.v1.ExecSyncRequest;
import io.jcontainerd.api.cri.v1.ExecSyncResponse;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxStatus;
import io.jcontainerd.api.cri.v1.ListContainersRequest;
import io.jcontainerd.api.cri.v1.ListContainersResponse;
import io.jcontainerd.api.cri.v1.ListPodSandboxRequest;
import io.jcontainerd.api.cri.v1.ListPodSandboxResponse;
import io.jcontainerd.api.cri.v1.Namespace;
import io.jcontainerd.api.cri.v1.PodSandboxNetworkStatus;
import io.jcontainerd.api.cri.v1.PodSandboxStatus;
import io.jcontainerd.api.cri.v1.PodSandboxStatusRequest;
import io.jcontainerd.api.cri.v1.PodSandboxStatusResponse;
import io.jcontainerd.api.cri.v1.RemoveContainerRequest;
import io.jcontainerd.api.cri.v1.RemoveContainerResponse;
import io.jcontainerd.api.cri.v1.RemovePodSandboxRequest;
import io.jcontainerd.api.cri.v1.RemovePodSandboxResponse;
import io.jcontainerd.api.cri.v1.RunPodSandboxRequest;
import io.jcontainerd.api.cri.v1.RunPodSandboxResponse;
import io.jcontainerd.api.cri.v1.RuntimeCondition;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.api.cri.v1.RuntimeStatus;
import io.jcontainerd.api.cri.v1.StartContainerRequest;
import io.jcontainerd.api.cri.v1.StartContainerResponse;
import io.jcontainerd.api.cri.v1.StatusRequest;
import io.jcontainerd.api.cri.v1.StatusResponse;
import io.jcontainerd.api.cri.v1.StopContainerRequest;
import io.jcontainerd.api.cri.v1.StopContainerResponse;
import io.jcontainerd.api.cri.v1.StopPodSandboxRequest;
import io.jcontainerd.api.cri.v1.StopPodSandboxResponse;
import io.jcontainerd.api.cri.v1.VersionRequest;
import io.jcontainerd.api.cri.v1.VersionResponse;
import io.jcontainerd.supervisor.BuildInfo;
import io.jcontainerd.api.cri.v1.AttachRequest;
import io.jcontainerd.api.cri.v1.AttachResponse;
import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.api.cri.v1.ExecResponse;
import io.jcontainerd.api.cri.v1.PortForwardRequest;
import io.jcontainerd.api.cri.v1.PortForwardResponse;
import io.jcontainerd.supervisor.cri.ContainerStreams;
import io.jcontainerd.supervisor.cri.Cri;
import io.jcontainerd.supervisor.cri.CriEvents;
import io.jcontainerd.supervisor.cri.PodCidrs;
import io.jcontainerd.supervisor.cri.PodMetrics;
import io.jcontainerd.supervisor.cri.PodStats;
import io.jcontainerd.supervisor.cri.CriNames;
import io.jcontainerd.supervisor.cri.StreamServer;
import io.jcontainerd.supervisor.cri.NetworkReadiness;
import io.jcontainerd.supervisor.cri.PodContainers;
import io.jcontainerd.supervisor.cri.PodSandboxes;
import io.jcontainerd.supervisor.grpc.Rpc;

import com.google.protobuf.ByteString;

/**
 * runtime.v1.RuntimeService (Kubernetes CRI) over {@link PodSandboxes} and {@link PodContainers}.
 * Methods not overridden here answer UNIMPLEMENTED naming the method (README, "CRI").
 */
public final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {
    private final PodSandboxes sandboxes;
    private final PodContainers containers;
    private final NetworkReadiness network;
    private final ContainerStreams streams;
    private final StreamServer streamServer;
    private final PodStats stats;
    private final CriEvents events;
    private final PodMetrics metrics;
    private final PodCidrs podCidrs;

    public CriRuntimeService(Cri cri) {
        this.sandboxes = cri.sandboxes();
        this.containers = cri.containers();
        this.network = cri.network();
        this.streams = cri.streams();
        this.streamServer = cri.streamServer();
        this.stats = cri.stats();
        this.events = cri.events();
        this.metrics = cri.metrics();
        this.podCidrs = cri.podCidrs();
    }

    @Override
    public void version(VersionRequest req, StreamObserver<VersionResponse> observer) {
        Rpc.unary(observer, () -> VersionResponse.newBuilder().setVersion("0.1.0").setRuntimeName(CriNames.RUNTIME_NAME)
                .setRuntimeVersion(BuildInfo.VERSION).setRuntimeApiVersion(CriNames.RUNTIME_API_VERSION).build());
    }

    @Override
    public void status(StatusRequest req, StreamObserver<StatusResponse> observer) {
        Rpc.unary(observer, () -> {
            NetworkReadiness.Condition net = network.check();
            StatusResponse.Builder b = StatusResponse.newBuilder().setStatus(RuntimeStatus.newBuilder()
                    .addConditions(RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(true))
                    .addConditions(RuntimeCondition.newBuilder().setType("NetworkReady").setStatus(net.ready())
                            .setReason(net.reason()).setMessage(net.message())));
            if (req.getVerbose()) {
                // UpdateRuntimeConfig's pod CIDRs as kept, and the subnet pods are really addressed from
                b.putInfo("podCIDRs", new String(io.jcontainerd.supervisor.metadata.Json.write(podCidrs.current()), java.nio.charset.StandardCharsets.UTF_8));
                b.putInfo("podSubnet", podCidrs.subnet());
            }
            return b.build();
        });
    }

    @Override
    public void runPodSandbox(RunPodSandboxRequest req, StreamObserver<RunPodSandboxResponse> observer) {
        Rpc.unary(observer, () -> RunPodSandboxResponse.newBuilder()
                .setPodSandboxId(sandboxes.run(req.getConfig(), req.getRuntimeHandler())).build());
    }

    @Override
    public void stopPodSandbox(StopPodSandboxRequest req, StreamObserver<StopPodSandboxResponse> observer) {
        Rpc.unary(observer, () -> {
            sandboxes.stop(req.getPodSandboxId());
            return StopPodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void removePodSandbox(RemovePodSandboxRequest req, StreamObserver<RemovePodSandboxResponse> observer) {
        Rpc.unary(observer, () -> {
            sandboxes.remove(req.getPodSandboxId());
            return RemovePodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void podSandboxStatus(PodSandboxStatusRequest req, StreamObserver<PodSandboxStatusResponse> observer) {
        Rpc.unary(observer, () -> {
            PodSandboxes.View v = sandboxes.view(req.getPodSandboxId());
            PodSandboxStatusResponse.Builder b = PodSandboxStatusResponse.newBuilder().setStatus(sandboxes.status(v));
            if (req.getVerbose()) {
                b.putInfo("info", "{\"netnsPath\":\"" + v.netnsPath() + "\",\"image\":\"" + v.record().image() + "\"}");
            }
            return b.build();
        });
    }

    @Override
    public void listPodSandbox(ListPodSandboxRequest req, StreamObserver<ListPodSandboxResponse> observer) {
        Rpc.unary(observer, () -> ListPodSandboxResponse.newBuilder().addAllItems(sandboxes.list(req.getFilter())).build());
    }

    @Override
    public void createContainer(CreateContainerRequest req, StreamObserver<CreateContainerResponse> observer) {
        Rpc.unary(observer, () -> CreateContainerResponse.newBuilder()
                .setContainerId(containers.create(req.getPodSandboxId(), req.getConfig(), req.getSandboxConfig())).build());
    }

    @Override
    public void startContainer(StartContainerRequest req, StreamObserver<StartContainerResponse> observer) {
        Rpc.unary(observer, () -> {
            containers.start(req.getContainerId());
            return StartContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void stopContainer(StopContainerRequest req, StreamObserver<StopContainerResponse> observer) {
        Rpc.unary(observer, () -> {
            containers.stop(req.getContainerId(), req.getTimeout());
            return StopContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void removeContainer(RemoveContainerRequest req, StreamObserver<RemoveContainerResponse> observer) {
        Rpc.unary(observer, () -> {
            containers.remove(req.getContainerId());
            return RemoveContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void containerStatus(ContainerStatusRequest req, StreamObserver<ContainerStatusResponse> observer) {
        Rpc.unary(observer, () -> ContainerStatusResponse.newBuilder().setStatus(containers.status(req.getContainerId())).build());
    }

    @Override
    public void listContainers(ListContainersRequest req, StreamObserver<ListContainersResponse> observer) {
        Rpc.unary(observer, () -> ListContainersResponse.newBuilder().addAllContainers(containers.list(req.getFilter())).build());
    }

    @Override
    public void containerStats(io.jcontainerd.api.cri.v1.ContainerStatsRequest req,
                               StreamObserver<io.jcontainerd.api.cri.v1.ContainerStatsResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.ContainerStatsResponse.newBuilder()
                .setStats(containers.stats(req.getContainerId())).build());
    }

    @Override
    public void listContainerStats(io.jcontainerd.api.cri.v1.ListContainerStatsRequest req,
                                   StreamObserver<io.jcontainerd.api.cri.v1.ListContainerStatsResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.ListContainerStatsResponse.newBuilder()
                .addAllStats(containers.listStats(req.getFilter())).build());
    }

    @Override
    public void reopenContainerLog(io.jcontainerd.api.cri.v1.ReopenContainerLogRequest req,
                                   StreamObserver<io.jcontainerd.api.cri.v1.ReopenContainerLogResponse> observer) {
        Rpc.unary(observer, () -> {
            containers.reopenLog(req.getContainerId());
            return io.jcontainerd.api.cri.v1.ReopenContainerLogResponse.getDefaultInstance();
        });
    }

    @Override
    public void updateContainerResources(io.jcontainerd.api.cri.v1.UpdateContainerResourcesRequest req,
                                         StreamObserver<io.jcontainerd.api.cri.v1.UpdateContainerResourcesResponse> observer) {
        Rpc.unary(observer, () -> {
            containers.updateResources(req.getContainerId(), req.getLinux());
            return io.jcontainerd.api.cri.v1.UpdateContainerResourcesResponse.getDefaultInstance();
        });
    }

    @Override
    public void execSync(ExecSyncRequest req, StreamObserver<ExecSyncResponse> observer) {
        Rpc.unary(observer, () -> {
            PodContainers.ExecResult r = containers.execSync(req.getContainerId(), req.getCmdList(), req.getTimeout());
            return ExecSyncResponse.newBuilder().setStdout(ByteString.copyFrom(r.stdout())).setStderr(ByteString.copyFrom(r.stderr()))
                    .setExitCode(r.exitCode()).build();
        });
    }

    @Override
    public void exec(ExecRequest req, StreamObserver<ExecResponse> observer) {
        Rpc.unary(observer, () -> {
            streams.checkExec(req);
            return ExecResponse.newBuilder().setUrl(streamServer.execUrl(req)).build();
        });
    }

    @Override
    public void attach(AttachRequest req, StreamObserver<AttachResponse> observer) {
        Rpc.unary(observer, () -> {
            streams.checkAttach(req);
            return AttachResponse.newBuilder().setUrl(streamServer.attachUrl(req)).build();
        });
    }

    @Override
    public void portForward(PortForwardRequest req, StreamObserver<PortForwardResponse> observer) {
        Rpc.unary(observer, () -> {
            streams.checkPortForward(req);
            return PortForwardResponse.newBuilder().setUrl(streamServer.portForwardUrl(req)).build();
        });
    }

    @Override
    public void podSandboxStats(io.jcontainerd.api.cri.v1.PodSandboxStatsRequest req,
                                StreamObserver<io.jcontainerd.api.cri.v1.PodSandboxStatsResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.PodSandboxStatsResponse.newBuilder()
                .setStats(stats.stats(req.getPodSandboxId())).build());
    }

    @Override
    public void listPodSandboxStats(io.jcontainerd.api.cri.v1.ListPodSandboxStatsRequest req,
                                    StreamObserver<io.jcontainerd.api.cri.v1.ListPodSandboxStatsResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.ListPodSandboxStatsResponse.newBuilder()
                .addAllStats(stats.list(req.getFilter())).build());
    }

    /** GetContainerEvents: every CRI container event from the call on, until the client goes (kubelet's evented PLEG). */
    @Override
    public void getContainerEvents(io.jcontainerd.api.cri.v1.GetEventsRequest req,
                                   StreamObserver<io.jcontainerd.api.cri.v1.ContainerEventResponse> observer) {
        var call = (io.grpc.stub.ServerCallStreamObserver<io.jcontainerd.api.cri.v1.ContainerEventResponse>) observer;
        CriEvents.Stream stream = events.subscribe();
        call.setOnCancelHandler(stream::close);
        // calls run on virtual threads: blocking here costs one cheap thread per stream
        try (stream) {
            io.grpc.Context ctx = io.grpc.Context.current();
            while (!call.isCancelled() && !ctx.isCancelled()) {
                var e = stream.next(500);
                if (e != null) {
                    call.onNext(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!call.isCancelled()) {
                call.onError(io.jcontainerd.proto.GrpcErrors.toStatus(e));
            }
        }
    }

    @Override
    public void updateRuntimeConfig(io.jcontainerd.api.cri.v1.UpdateRuntimeConfigRequest req,
                                    StreamObserver<io.jcontainerd.api.cri.v1.UpdateRuntimeConfigResponse> observer) {
        Rpc.unary(observer, () -> {
            podCidrs.update(req.getRuntimeConfig().getNetworkConfig().getPodCidr());
            return io.jcontainerd.api.cri.v1.UpdateRuntimeConfigResponse.getDefaultInstance();
        });
    }

    /** RuntimeConfig: the cgroup driver kubelet must use: cgroupfs, the only one jcontainerd's CRI takes. */
    @Override
    public void runtimeConfig(io.jcontainerd.api.cri.v1.RuntimeConfigRequest req,
                              StreamObserver<io.jcontainerd.api.cri.v1.RuntimeConfigResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.RuntimeConfigResponse.newBuilder()
                .setLinux(io.jcontainerd.api.cri.v1.LinuxRuntimeConfiguration.newBuilder()
                        .setCgroupDriver(io.jcontainerd.api.cri.v1.CgroupDriver.CGROUPFS)).build());
    }

    @Override
    public void listMetricDescriptors(io.jcontainerd.api.cri.v1.ListMetricDescriptorsRequest req,
                                      StreamObserver<io.jcontainerd.api.cri.v1.ListMetricDescriptorsResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.ListMetricDescriptorsResponse.newBuilder()
                .addAllDescriptors(metrics.descriptors()).build());
    }

    @Override
    public void listPodSandboxMetrics(io.jcontainerd.api.cri.v1.ListPodSandboxMetricsRequest req,
                                      StreamObserver<io.jcontainerd.api.cri.v1.ListPodSandboxMetricsResponse> observer) {
        Rpc.unary(observer, () -> io.jcontainerd.api.cri.v1.ListPodSandboxMetricsResponse.newBuilder()
                .addAllPodMetrics(metrics.list()).build());
    }

    @Override
    public void checkpointContainer(io.jcontainerd.api.cri.v1.CheckpointContainerRequest req,
                                    StreamObserver<io.jcontainerd.api.cri.v1.CheckpointContainerResponse> observer) {
        Rpc.unary(observer, () -> {
            containers.checkpoint(req.getContainerId());
            return io.jcontainerd.api.cri.v1.CheckpointContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void updatePodSandboxResources(io.jcontainerd.api.cri.v1.UpdatePodSandboxResourcesRequest req,
                                          StreamObserver<io.jcontainerd.api.cri.v1.UpdatePodSandboxResourcesResponse> observer) {
        Rpc.unary(observer, () -> {
            sandboxes.updateResources(req.getPodSandboxId(), req.getOverhead(), req.getResources(), req.hasOverhead(), req.hasResources());
            return io.jcontainerd.api.cri.v1.UpdatePodSandboxResourcesResponse.getDefaultInstance();
        });
    }

    // the Stream* variants of the List calls: the same items, in messages of at most 500

    @Override
    public void streamPodSandboxes(io.jcontainerd.api.cri.v1.StreamPodSandboxesRequest req,
                                   StreamObserver<io.jcontainerd.api.cri.v1.StreamPodSandboxesResponse> observer) {
        Rpc.batches(observer, () -> sandboxes.list(req.getFilter()),
                b -> io.jcontainerd.api.cri.v1.StreamPodSandboxesResponse.newBuilder().addAllPodSandboxes(b).build());
    }

    @Override
    public void streamContainers(io.jcontainerd.api.cri.v1.StreamContainersRequest req,
                                 StreamObserver<io.jcontainerd.api.cri.v1.StreamContainersResponse> observer) {
        Rpc.batches(observer, () -> containers.list(req.getFilter()),
                b -> io.jcontainerd.api.cri.v1.StreamContainersResponse.newBuilder().addAllContainers(b).build());
    }

    @Override
    public void streamContainerStats(io.jcontainerd.api.cri.v1.StreamContainerStatsRequest req,
                                     StreamObserver<io.jcontainerd.api.cri.v1.StreamContainerStatsResponse> observer) {
        Rpc.batches(observer, () -> containers.listStats(req.getFilter()),
                b -> io.jcontainerd.api.cri.v1.StreamContainerStatsResponse.newBuilder().addAllContainerStats(b).build());
    }

    @Override
    public void streamPodSandboxStats(io.jcontainerd.api.cri.v1.StreamPodSandboxStatsRequest req,
                                      StreamObserver<io.jcontainerd.api.cri.v1.StreamPodSandboxStatsResponse> observer) {
        Rpc.batches(observer, () -> stats.list(req.getFilter()),
                b -> io.jcontainerd.api.cri.v1.StreamPodSandboxStatsResponse.newBuilder().addAllPodSandboxStats(b).build());
    }

    @Override
    public void streamPodSandboxMetrics(io.jcontainerd.api.cri.v1.StreamPodSandboxMetricsRequest req,
                                        StreamObserver<io.jcontainerd.api.cri.v1.StreamPodSandboxMetricsResponse> observer) {
        Rpc.batches(observer, metrics::list,
                b -> io.jcontainerd.api.cri.v1.StreamPodSandboxMetricsResponse.newBuilder().addAllPodSandboxMetrics(b).build());
    }
}
