import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatusRequest;
import io.jcontainerd.api.cri.v1.CreateContainerRequest;
import io.jcontainerd.api.cri.v1.ImageServiceGrpc;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.ListPodSandboxRequest;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PullImageRequest;
import io.jcontainerd.api.cri.v1.RemovePodSandboxRequest;
import io.jcontainerd.api.cri.v1.RunPodSandboxRequest;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.api.cri.v1.StartContainerRequest;
import io.jcontainerd.api.cri.v1.StopPodSandboxRequest;
import io.jcontainerd.api.cri.v1.VersionRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CRI client of bench/lib/cri.sh: kubelet's calls for one pod, timed, against any CRI socket
 * (jcontainerd's or containerd 1.6's cri plugin), with the grpc-java CRI stubs of the proto module.
 * Run on the daemon's classpath (grpc-netty and the proto module's stubs): {@code java -cp supervisor/target/jcontainerd.jar bench/lib/CriBench.java}.
 *
 * <pre>
 * CriBench pull  SOCKET IMAGE...      PullImage of each (untimed preparation)
 * CriBench pods  SOCKET ROUNDS WARMUPS NAME CGROUP_PARENT LOG_DIR pod|host
 *     per round: start = RunPodSandbox + CreateContainer + StartContainer of busybox sleep,
 *     then (the container seen RUNNING, untimed) teardown = StopPodSandbox + RemovePodSandbox;
 *     prints "median-start-ms median-teardown-ms" of ROUNDS rounds after WARMUPS untimed ones;
 *     on stderr each pod's time per RPC and the median of each RPC.
 *     pod: the pod network (CNI / bridge); host: hostNetwork (no CNI on either side)
 * CriBench clean SOCKET               StopPodSandbox + RemovePodSandbox of every pod
 * </pre>
 */
public final class CriBench {
    static final String BUSYBOX = "docker.io/library/busybox:latest";
    /** netty warns that SO_KEEPALIVE does not apply to a unix socket, once per channel: kept quiet (held, so not collected). */
    static final Logger NETTY = Logger.getLogger("io.grpc.netty.shaded.io.netty");

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: CriBench pull|pods|clean SOCKET ... (see the class comment)");
        }
        NETTY.setLevel(Level.SEVERE);
        var group = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(args[1]))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class)
                .usePlaintext().overrideAuthority("localhost").maxInboundMessageSize(16 << 20).build();
        try {
            var rt = RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES);
            var img = ImageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES);
            rt.version(VersionRequest.newBuilder().setVersion("v1").build());
            switch (args[0]) {
                case "pull" -> {
                    for (int i = 2; i < args.length; i++) {
                        img.pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(args[i])).build());
                    }
                }
                case "pods" -> {
                    if (args.length != 8 || !args[7].matches("pod|host")) {
                        throw new IllegalArgumentException("usage: CriBench pods SOCKET ROUNDS WARMUPS NAME CGROUP_PARENT LOG_DIR pod|host");
                    }
                    pods(rt, Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4], args[5], Path.of(args[6]), args[7].equals("host"));
                }
                case "clean" -> {
                    for (var s : rt.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
                        rt.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(s.getId()).build());
                        rt.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(s.getId()).build());
                    }
                }
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "': use pull, pods or clean");
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    static void pods(RuntimeServiceGrpc.RuntimeServiceBlockingStub rt, int rounds, int warmups, String name, String cgroupParent,
                     Path logDir, boolean hostNetwork) throws Exception {
        List<Double> starts = new ArrayList<>(), teardowns = new ArrayList<>();
        List<Double> runs = new ArrayList<>(), creates = new ArrayList<>(), startcs = new ArrayList<>(), stops = new ArrayList<>(),
                removes = new ArrayList<>();
        for (int round = 0; round < warmups + rounds; round++) {
            String podName = name + "-" + (hostNetwork ? "h" : "p") + round;
            Path logs = Files.createDirectories(logDir.resolve(podName));
            var ns = NamespaceOption.newBuilder().setNetwork(hostNetwork ? NamespaceMode.NODE : NamespaceMode.POD);
            PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                    .setMetadata(PodSandboxMetadata.newBuilder().setName(podName).setUid(podName + "-uid").setNamespace("default"))
                    .setHostname(hostNetwork ? "" : podName).setLogDirectory(logs.toString())
                    .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent)
                            .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(ns)))
                    .build();
            ContainerConfig container = ContainerConfig.newBuilder()
                    .setMetadata(ContainerMetadata.newBuilder().setName("main"))
                    .setImage(ImageSpec.newBuilder().setImage(BUSYBOX))
                    .addAllCommand(List.of("sleep", "100000")).setLogPath("main.log")
                    .build();

            long t0 = System.nanoTime();
            String id = rt.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build()).getPodSandboxId();
            long ta = System.nanoTime();
            String c = rt.createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(id).setConfig(container).setSandboxConfig(pod).build())
                    .getContainerId();
            long tb = System.nanoTime();
            rt.startContainer(StartContainerRequest.newBuilder().setContainerId(c).build());
            long t1 = System.nanoTime();
            ContainerState state = rt.containerStatus(ContainerStatusRequest.newBuilder().setContainerId(c).build()).getStatus().getState();
            if (state != ContainerState.CONTAINER_RUNNING) {
                throw new IllegalStateException("pod " + podName + ": container " + c + " is " + state + " after StartContainer, not RUNNING");
            }
            long t2 = System.nanoTime();
            rt.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            long tc = System.nanoTime();
            rt.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            long t3 = System.nanoTime();
            if (round >= warmups) {
                starts.add((t1 - t0) / 1e6);
                teardowns.add((t3 - t2) / 1e6);
                runs.add((ta - t0) / 1e6);
                creates.add((tb - ta) / 1e6);
                startcs.add((t1 - tb) / 1e6);
                stops.add((tc - t2) / 1e6);
                removes.add((t3 - tc) / 1e6);
            }
            System.err.printf("bench:     %s: start %.1f ms (RunPodSandbox %.1f, CreateContainer %.1f, StartContainer %.1f), "
                            + "teardown %.1f ms (StopPodSandbox %.1f, RemovePodSandbox %.1f)%s%n", podName, (t1 - t0) / 1e6,
                    (ta - t0) / 1e6, (tb - ta) / 1e6, (t1 - tb) / 1e6, (t3 - t2) / 1e6, (tc - t2) / 1e6, (t3 - tc) / 1e6,
                    round < warmups ? " (warm-up)" : "");
        }
        System.err.printf("bench:     medians of %d per RPC: RunPodSandbox %.1f, CreateContainer %.1f, StartContainer %.1f, "
                        + "StopPodSandbox %.1f, RemovePodSandbox %.1f ms%n", rounds, median(runs), median(creates), median(startcs),
                median(stops), median(removes));
        System.out.printf("%.1f %.1f%n", median(starts), median(teardowns));
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
