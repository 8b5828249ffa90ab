package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatus;
import io.jcontainerd.api.cri.v1.ContainerStatusRequest;
import io.jcontainerd.api.cri.v1.CreateContainerRequest;
import io.jcontainerd.api.cri.v1.ExecSyncRequest;
import io.jcontainerd.api.cri.v1.ExecSyncResponse;
import io.jcontainerd.api.cri.v1.ImageServiceGrpc;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.ListPodSandboxRequest;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PullImageRequest;
import io.jcontainerd.api.cri.v1.RemovePodSandboxRequest;
import io.jcontainerd.api.cri.v1.RunPodSandboxRequest;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.api.cri.v1.StartContainerRequest;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestCgroups;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A node for CRI integration tests: a real daemon on a private root with the test registry and a
 * bridge and subnet of its own (removed by {@link #close}, which also removes every pod left, even
 * when a test failed); no packet leaves the machine. Helpers do what kubelet does.
 */
final class CriNode implements AutoCloseable {
    final Path dir;
    /**
     * The cgroup parent for this node's pods (kubelet always gives one, /kubepods/.../pod&lt;uid&gt;):
     * the node's own, removed in every hierarchy by {@link #close}. A pod with none gets its
     * containers' cgroups under /k8s.io, which every CRI test on the machine shares.
     */
    final String cgroupParent = TestCgroups.uniqueParent("cri");
    DaemonProcess daemon;
    UnixGrpcChannel channel;
    RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    ImageServiceGrpc.ImageServiceBlockingStub images;
    private final DaemonConfig.NetworkConfig network;

    private CriNode(Path dir, DaemonProcess daemon, UnixGrpcChannel channel, DaemonConfig.NetworkConfig network) {
        this.dir = dir;
        this.daemon = daemon;
        this.channel = channel;
        this.network = network;
        this.runtime = RuntimeServiceGrpc.newBlockingStub(channel.raw());
        this.images = ImageServiceGrpc.newBlockingStub(channel.raw());
    }

    static CriNode start(String prefix) throws IOException {
        return start(prefix, "");
    }

    /** A node whose daemon's configuration also has {@code extraToml} (sections other than registry, network, docker). */
    static CriNode start(String prefix, String extraToml) throws IOException {
        TestRegistry registry = TestRegistry.shared();
        Path dir = Files.createTempDirectory("jcd-" + prefix + "-");
        int n = ThreadLocalRandom.current().nextInt(1, 250);
        String bridge = "jc" + prefix.substring(0, Math.min(4, prefix.length())) + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        var network = new DaemonConfig.NetworkConfig(bridge, "10.219." + n + ".0/24", "10.220." + n + ".0/24",
                DaemonConfig.NetworkConfig.DEFAULT.pluginDirs(), true);
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"), """
                [registry]
                config_path = "%s"
                [network]
                bridge = "%s"
                subnet = "%s"
                pool = "%s"
                [docker]
                address = "%s"
                """.formatted(registry.hostsDir(), bridge, network.subnet(), network.pool(), dir.resolve("docker.sock")) + extraToml);
        DaemonProcess daemon = null;
        try {
            daemon = DaemonProcess.start(dir, "--config", config.toString());
            return new CriNode(dir, daemon, new UnixGrpcChannel(daemon.socket()), network);
        } catch (RuntimeException | Error e) {
            if (daemon != null) {
                daemon.close();
            }
            NetworkManager.open(network, dir.resolve("root"), dir.resolve("state")).removeHostState();
            Cli.run(List.of("rm", "-rf", dir.toString()));
            throw e;
        }
    }

    /** Stops the daemon (SIGTERM: containers keep running) and starts it again on the same root, state and config. */
    void restart() {
        try {
            channel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        daemon.close();
        daemon = DaemonProcess.start(dir, "--config", dir.resolve("jcontainerd.toml").toString());
        channel = new UnixGrpcChannel(daemon.socket());
        runtime = RuntimeServiceGrpc.newBlockingStub(channel.raw());
        images = ImageServiceGrpc.newBlockingStub(channel.raw());
    }

    String pull(String image) {
        return images.pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build()).getImageRef();
    }

    String runPod(PodSandboxConfig config) {
        return runtime.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build()).getPodSandboxId();
    }

    String create(String pod, PodSandboxConfig podConfig, ContainerConfig c) {
        return runtime.createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(c).setSandboxConfig(podConfig).build())
                .getContainerId();
    }

    /** CreateContainer + StartContainer, then waits until it runs. */
    String run(String pod, PodSandboxConfig podConfig, ContainerConfig c) {
        String id = create(pod, podConfig, c);
        runtime.startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        await(c.getMetadata().getName() + " running", () -> status(id), s -> s.getState() != ContainerState.CONTAINER_CREATED);
        return id;
    }

    ContainerStatus status(String id) {
        return runtime.containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()).getStatus();
    }

    /** ExecSync with a 30 s timeout. */
    ExecSyncResponse exec(String id, String... cmd) {
        return runtime.execSync(ExecSyncRequest.newBuilder().setContainerId(id).addAllCmd(List.of(cmd)).setTimeout(30).build());
    }

    /** ExecSync of {@code sh -c script}: its stdout and stderr. */
    String sh(String id, String script) {
        ExecSyncResponse r = exec(id, "sh", "-c", script);
        return r.getStdout().toString(StandardCharsets.UTF_8) + r.getStderr().toString(StandardCharsets.UTF_8);
    }

    void removePod(String pod) {
        runtime.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
    }

    <T> T await(String what, Supplier<T> get, Predicate<T> done) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        T last = get.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 60 s waiting for " + what + "; last seen: " + last + "\ndaemon log:\n" + daemon.log());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = get.get();
        }
        return last;
    }

    @Override
    public void close() {
        try {
            for (var s : runtime.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
                removePod(s.getId());
            }
        } finally {
            try {
                channel.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                daemon.close();
                NetworkManager.open(network, dir.resolve("root"), dir.resolve("state")).removeHostState();
                Cli.run(List.of("rm", "-rf", dir.toString()));
                List<String> left = TestCgroups.remove(cgroupParent);
                if (!left.isEmpty()) {
                    throw new AssertionError("cgroups left under the node's cgroup parent " + cgroupParent + ": " + left);
                }
            }
        }
    }
}
