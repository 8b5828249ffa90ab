package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerFilter;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatus;
import io.jcontainerd.api.cri.v1.ContainerStatusRequest;
import io.jcontainerd.api.cri.v1.CreateContainerRequest;
import io.jcontainerd.api.cri.v1.DNSConfig;
import io.jcontainerd.api.cri.v1.ExecSyncRequest;
import io.jcontainerd.api.cri.v1.ExecSyncResponse;
import io.jcontainerd.api.cri.v1.ImageServiceGrpc;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.ImageStatusRequest;
import io.jcontainerd.api.cri.v1.KeyValue;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.ListContainersRequest;
import io.jcontainerd.api.cri.v1.ListImagesRequest;
import io.jcontainerd.api.cri.v1.ListPodSandboxRequest;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxFilter;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.api.cri.v1.PodSandboxStatusRequest;
import io.jcontainerd.api.cri.v1.PodSandboxStatusResponse;
import io.jcontainerd.api.cri.v1.PortMapping;
import io.jcontainerd.api.cri.v1.Protocol;
import io.jcontainerd.api.cri.v1.PullImageRequest;
import io.jcontainerd.api.cri.v1.RemovePodSandboxRequest;
import io.jcontainerd.api.cri.v1.RunPodSandboxRequest;
import io.jcontainerd.api.cri.v1.RuntimeCondition;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.api.cri.v1.StartContainerRequest;
import io.jcontainerd.api.cri.v1.StatusRequest;
import io.jcontainerd.api.cri.v1.StopPodSandboxRequest;
import io.jcontainerd.api.cri.v1.VersionRequest;
import io.jcontainerd.api.cri.v1.VersionResponse;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.tasks.v1.ListTasksRequest;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestCgroups;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pod's life through the CRI as kubelet drives it, against the real daemon with the test
 * registry: Version, Status, PullImage, RunPodSandbox, CreateContainer + StartContainer of a
 * busybox container writing a line, ContainerStatus polling, its log in the CRI format, ExecSync,
 * StopPodSandbox, RemovePodSandbox, and nothing left behind. The pod network is a bridge and
 * subnet of this test's own (removed at the end); no packet leaves the machine.
 */
class CriPodLifecycleIT {
    static final String BUSYBOX = "docker.io/library/busybox:latest";
    static Path dir;
    static DaemonProcess daemon;
    static UnixGrpcChannel channel;
    static DaemonConfig.NetworkConfig network;
    static RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;

    static ImageServiceGrpc.ImageServiceBlockingStub images;
    /** The pods' cgroup parent, as kubelet gives one: the test's own, removed with the daemon (not the shared /k8s.io). */
    static final String CGROUP_PARENT = TestCgroups.uniqueParent("cripod");

    @BeforeAll
    static void start() throws IOException {
        TestRegistry registry = TestRegistry.shared();
        dir = Files.createTempDirectory("jcd-cri-");
        int n = ThreadLocalRandom.current().nextInt(1, 250);
        String bridge = "jcri" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        network = new DaemonConfig.NetworkConfig(bridge, "10.217." + n + ".0/24", "10.218." + n + ".0/24",
                DaemonConfig.NetworkConfig.DEFAULT.pluginDirs(), true);
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"), """
                [registry]
                config_path = "%s"
                [docker]
                address = "%s"
                [network]
                bridge = "%s"
                subnet = "%s"
                pool = "%s"
                """.formatted(registry.hostsDir(), dir.resolve("docker.sock"), bridge, network.subnet(), network.pool()));
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        channel = new UnixGrpcChannel(daemon.socket());
        runtime = RuntimeServiceGrpc.newBlockingStub(channel.raw());
        images = ImageServiceGrpc.newBlockingStub(channel.raw());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (runtime != null) {
                for (var s : rt().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
                    rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(s.getId()).build());
                }
            }
        } finally {
            if (channel != null) {
                channel.close();
            }
            if (daemon != null) {
                daemon.close();
            }
            if (network != null) {
                NetworkManager.open(network, dir.resolve("root"), dir.resolve("state")).removeHostState();
            }
            Cli.run(List.of("rm", "-rf", dir.toString()));
            assertThat(TestCgroups.remove(CGROUP_PARENT)).as("cgroups left under " + CGROUP_PARENT).isEmpty();
        }
    }

    @Test
    void versionSaysCriV1FromJcontainerd() {
        VersionResponse v = rt().version(VersionRequest.newBuilder().setVersion("v1").build());

        assertThat(v.getRuntimeApiVersion()).isEqualTo("v1");
        assertThat(v.getRuntimeName()).isEqualTo("jcontainerd");
        assertThat(v.getRuntimeVersion()).isNotEmpty();
    }

    @Test
    void statusReportsRuntimeAndNetworkReadyWithTheCniPluginsInstalled() {
        List<RuntimeCondition> conditions = rt().status(StatusRequest.getDefaultInstance()).getStatus().getConditionsList();

        assertThat(conditions).extracting(RuntimeCondition::getType, RuntimeCondition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("RuntimeReady", true), org.assertj.core.groups.Tuple.tuple("NetworkReady", true));
    }

    @Test
    void aPodRunsAContainerWhoseLogAndExecWorkAndLeavesNothingWhenRemoved() throws Exception {
        // PullImage: the reference normalised, the id is the config digest
        String imageRef = img().pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage("busybox")).build()).getImageRef();
        assertThat(imageRef).startsWith("sha256:");
        var status = img().imageStatus(ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(BUSYBOX)).build());
        assertThat(status.getImage().getId()).isEqualTo(imageRef);
        assertThat(status.getImage().getRepoTagsList()).contains(BUSYBOX);
        assertThat(status.getImage().getRepoDigestsList()).allMatch(d -> d.startsWith("docker.io/library/busybox@sha256:"));
        assertThat(img().listImages(ListImagesRequest.getDefaultInstance()).getImagesList()).anyMatch(i -> i.getId().equals(imageRef));

        // RunPodSandbox: the pause image (registry.k8s.io/pause:3.6, from the test registry) pulled on the way
        Path logs = Files.createDirectories(dir.resolve("logs/default_web_uid1"));
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setUid("uid1").setNamespace("default"))
                .setHostname("cri-web").setLogDirectory(logs.toString())
                .setDnsConfig(DNSConfig.newBuilder().addServers("127.0.0.1").addSearches("cluster.local"))
                .putLabels("app", "web").putAnnotations("note", "kept as given")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT).setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build();
        long t0 = System.nanoTime();
        String pod = rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId();
        long runPodMs = (System.nanoTime() - t0) / 1_000_000;

        PodSandboxStatusResponse ps = rt().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build());
        assertThat(ps.getStatus().getState()).isEqualTo(PodSandboxState.SANDBOX_READY);
        assertThat(ps.getStatus().getNetwork().getIp()).startsWith(network.subnet().substring(0, network.subnet().lastIndexOf('.') + 1));
        assertThat(ps.getStatus().getLabelsMap()).containsEntry("app", "web");
        assertThat(ps.getStatus().getAnnotationsMap()).containsEntry("note", "kept as given");
        assertThat(rt().listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder()
                .putLabelSelector("app", "web")).build()).getItemsList()).extracting(s -> s.getId()).containsExactly(pod);
        assertThat(rt().listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder()
                .putLabelSelector("app", "db")).build()).getItemsList()).isEmpty();

        // CreateContainer + StartContainer, as kubelet: own PID namespace, log at <log dir>/<name>/<attempt>.log
        Files.createDirectories(logs.resolve("main"));
        ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("main"))
                .setImage(ImageSpec.newBuilder().setImage(imageRef))
                .addAllCommand(List.of("sh", "-c", "echo \"hello from $GREETING\"; echo to-stderr >&2; exec sleep 3600"))
                .addEnvs(KeyValue.newBuilder().setKey("GREETING").setValue("the cri"))
                .setLogPath("main/0.log").putLabels("role", "main")
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build();
        t0 = System.nanoTime();
        String ctr = rt().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(c).setSandboxConfig(podConfig).build())
                .getContainerId();
        long createMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(containerStatus(ctr).getState()).isEqualTo(ContainerState.CONTAINER_CREATED);
        t0 = System.nanoTime();
        rt().startContainer(StartContainerRequest.newBuilder().setContainerId(ctr).build());
        long startMs = (System.nanoTime() - t0) / 1_000_000;
        ContainerStatus running = await("container running", () -> containerStatus(ctr), s -> s.getState() == ContainerState.CONTAINER_RUNNING);
        assertThat(running.getStartedAt()).isPositive();
        assertThat(running.getImageRef()).isEqualTo(imageRef);
        assertThat(running.getLogPath()).isEqualTo(logs.resolve("main/0.log").toString());

        // the log file, in the CRI format kubelet parses
        Path log = logs.resolve("main/0.log");
        List<String> lines = await("both lines in " + log, () -> readLines(log), l -> l.size() >= 2);
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("\\S+ stdout F hello from the cri"))
                .anySatisfy(l -> assertThat(l).matches("\\S+ stderr F to-stderr"));
        Instant stamp = Instant.parse(lines.getFirst().split(" ", 2)[0]);
        assertThat(stamp).isBetween(Instant.now().minusSeconds(600), Instant.now());

        // ExecSync: output, exit code, the pod's hostname (UTS shared with the pause container)
        ExecSyncResponse exec = rt().execSync(ExecSyncRequest.newBuilder().setContainerId(ctr)
                .addAllCmd(List.of("sh", "-c", "echo out; hostname; echo err >&2; exit 3")).setTimeout(30).build());
        assertThat(exec.getStdout().toString(StandardCharsets.UTF_8)).isEqualTo("out\ncri-web\n");
        assertThat(exec.getStderr().toString(StandardCharsets.UTF_8)).isEqualTo("err\n");
        assertThat(exec.getExitCode()).isEqualTo(3);
        ExecSyncResponse resolv = rt().execSync(ExecSyncRequest.newBuilder().setContainerId(ctr)
                .addAllCmd(List.of("cat", "/etc/resolv.conf")).setTimeout(30).build());
        assertThat(resolv.getStdout().toString(StandardCharsets.UTF_8)).contains("nameserver 127.0.0.1").contains("cluster.local");
        t0 = System.nanoTime();
        assertThatThrownBy(() -> rt().execSync(ExecSyncRequest.newBuilder().setContainerId(ctr)
                .addAllCmd(List.of("sleep", "60")).setTimeout(1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the timed-out exec returned").isLessThan(30_000);

        // the objects live in containerd's namespace k8s.io
        var k8s = ContainersGrpc.newBlockingStub(channel.namespaced("k8s.io"))
                .list(io.jcontainerd.api.services.containers.v1.ListContainersRequest.getDefaultInstance()).getContainersList();
        assertThat(k8s).extracting(x -> x.getId()).containsExactlyInAnyOrder(pod, ctr);

        // StopPodSandbox: the container is killed, the pod not ready
        t0 = System.nanoTime();
        rt().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        long stopPodMs = (System.nanoTime() - t0) / 1_000_000;
        ContainerStatus stopped = containerStatus(ctr);
        assertThat(stopped.getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
        assertThat(stopped.getExitCode()).isEqualTo(137);
        assertThat(rt().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()).getStatus().getState())
                .isEqualTo(PodSandboxState.SANDBOX_NOTREADY);
        rt().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build()); // idempotent

        // RemovePodSandbox: nothing left
        t0 = System.nanoTime();
        rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        long removePodMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("CRI pod timings (ms): RunPodSandbox %d (pause image pulled on the way), CreateContainer %d, StartContainer %d, "
                + "StopPodSandbox %d, RemovePodSandbox %d%n", runPodMs, createMs, startMs, stopPodMs, removePodMs);
        rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build()); // idempotent
        assertThat(rt().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()).isEmpty();
        assertThat(rt().listContainers(ListContainersRequest.newBuilder().setFilter(ContainerFilter.getDefaultInstance()).build())
                .getContainersList()).isEmpty();
        assertThat(TasksGrpc.newBlockingStub(channel.namespaced("k8s.io")).list(ListTasksRequest.getDefaultInstance()).getTasksList()).isEmpty();
        assertThat(ContainersGrpc.newBlockingStub(channel.namespaced("k8s.io"))
                .list(io.jcontainerd.api.services.containers.v1.ListContainersRequest.getDefaultInstance()).getContainersList()).isEmpty();
        assertThat(list(daemon.state().resolve("netns"))).as("pinned network namespaces").isEmpty();
        Cli.Result veths = Cli.run(List.of("ip", "-o", "link", "show", "master", network.bridge()));
        assertThat(veths.out().strip()).as("interfaces on bridge " + network.bridge()).isEmpty();
        assertThat(list(daemon.state().resolve("cri/io"))).as("FIFO directories").isEmpty();
        // the log stays for kubelet to rotate and remove
        assertThat(log).exists();
    }

    /** Every call with a deadline: a hung daemon fails the test instead of blocking it. */
    static RuntimeServiceGrpc.RuntimeServiceBlockingStub rt() {
        return runtime.withDeadlineAfter(120, java.util.concurrent.TimeUnit.SECONDS);
    }

    static ImageServiceGrpc.ImageServiceBlockingStub img() {
        return images.withDeadlineAfter(300, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void stopContainerSendsTheStopSignalThenSigkillAfterTheTimeout() throws Exception {
        String imageRef = img().pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(BUSYBOX)).build()).getImageRef();
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("stops").setUid("uid2").setNamespace("default")).setHostname("stops")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)).build();
        String pod = rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId();
        try {
            NamespaceOption ownPid = NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).build();
            // PID 1 of its own namespace with no handler: SIGTERM is ignored, only SIGKILL ends it
            String deaf = startContainer(pod, podConfig, imageRef, "deaf", List.of("sleep", "3600"), ownPid);
            // a handler that exits 0 on SIGTERM; stopped only once it is set (PID 1 without one ignores SIGTERM,
            // and at load 14 a SIGTERM sent as soon as the container ran came before the trap: exit 137)
            String polite = startContainer(pod, podConfig, imageRef, "polite",
                    List.of("sh", "-c", "trap 'exit 0' TERM; touch /trapped; while :; do sleep 1; done"), ownPid);
            await("the polite container's SIGTERM trap", () -> rt().execSync(ExecSyncRequest.newBuilder().setContainerId(polite)
                    .addAllCmd(List.of("test", "-e", "/trapped")).setTimeout(30).build()).getExitCode(), code -> code == 0);
            assertThat(rt().listContainers(ListContainersRequest.newBuilder().setFilter(ContainerFilter.newBuilder().setPodSandboxId(pod)
                    .setState(io.jcontainerd.api.cri.v1.ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))).build())
                    .getContainersList()).extracting(x -> x.getId()).containsExactlyInAnyOrder(deaf, polite);

            long t0 = System.nanoTime();
            rt().stopContainer(io.jcontainerd.api.cri.v1.StopContainerRequest.newBuilder().setContainerId(polite).setTimeout(30).build());
            long politeMs = (System.nanoTime() - t0) / 1_000_000;
            t0 = System.nanoTime();
            rt().stopContainer(io.jcontainerd.api.cri.v1.StopContainerRequest.newBuilder().setContainerId(deaf).setTimeout(2).build());
            long deafMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(containerStatus(polite).getExitCode()).isZero();
            assertThat(containerStatus(polite).getReason()).isEqualTo("Completed");
            assertThat(politeMs).as("ms to stop a container that exits on SIGTERM").isLessThan(20_000);
            assertThat(containerStatus(deaf).getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
            assertThat(containerStatus(deaf).getExitCode()).isEqualTo(137);
            assertThat(deafMs).as("ms to stop a container ignoring SIGTERM with timeout 2 s").isGreaterThanOrEqualTo(2000);
            rt().stopContainer(io.jcontainerd.api.cri.v1.StopContainerRequest.newBuilder().setContainerId(deaf).setTimeout(2).build()); // idempotent
            rt().removeContainer(io.jcontainerd.api.cri.v1.RemoveContainerRequest.newBuilder().setContainerId(deaf).build());
            assertThat(rt().listContainers(ListContainersRequest.newBuilder().setFilter(ContainerFilter.newBuilder().setPodSandboxId(pod)).build())
                    .getContainersList()).extracting(x -> x.getId()).containsExactly(polite);
        } finally {
            rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        }
    }

    @Test
    void aHostNetworkPodHasNoNetworkNamespaceAndSeesTheHostsInterfaces() throws Exception {
        String imageRef = img().pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(BUSYBOX)).build()).getImageRef();
        NamespaceOption host = NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER).build();
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("hostnet").setUid("uid3").setNamespace("kube-system"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT).setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(host)))
                .build();
        String pod = rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId();
        try {
            assertThat(rt().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()).getStatus().hasNetwork()).isFalse();
            assertThat(list(daemon.state().resolve("netns"))).as("pinned network namespaces of a hostNetwork pod").isEmpty();
            String c = startContainer(pod, podConfig, imageRef, "agent", List.of("sleep", "3600"), host);
            ExecSyncResponse links = rt().execSync(ExecSyncRequest.newBuilder().setContainerId(c).addAllCmd(List.of("cat", "/proc/net/dev"))
                    .setTimeout(30).build());
            // an interface of the host other than loopback: a pod network namespace would have only lo and eth0
            String hostIf = Files.readAllLines(Path.of("/proc/net/dev")).stream().skip(2).map(l -> l.strip().split(":")[0])
                    .filter(n -> !n.equals("lo") && !n.equals("eth0")).findFirst()
                    .orElseThrow(() -> new AssertionError("the host has no interface besides lo and eth0 to look for"));
            assertThat(links.getStdout().toString(StandardCharsets.UTF_8)).contains(hostIf + ":");
        } finally {
            rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        }
    }

    @Test
    void aPodWhosePauseProcessDiedIsNotReadyAndTakesNoContainer() throws Exception {
        // the daemon tells a ready pod from /proc (its pause process alive with its start time), not by asking the shim
        String imageRef = img().pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(BUSYBOX)).build()).getImageRef();
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("orphaned").setUid("uid-orphaned").setNamespace("default"))
                .setHostname("orphaned").setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)).build();
        String pod = rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId();
        try {
            assertThat(podState(pod)).isEqualTo(PodSandboxState.SANDBOX_READY);
            int pausePid = TasksGrpc.newBlockingStub(channel.namespaced("k8s.io"))
                    .get(io.jcontainerd.api.services.tasks.v1.GetRequest.newBuilder().setContainerId(pod).build()).getProcess().getPid();
            assertThat(ProcessHandle.of(pausePid).map(ProcessHandle::destroyForcibly)).as("SIGKILL sent to pause pid " + pausePid).contains(true);

            await("the pod not ready once its pause process died", () -> podState(pod), s -> s == PodSandboxState.SANDBOX_NOTREADY);
            assertThat(rt().listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder().setId(pod)).build())
                    .getItemsList()).extracting(p -> p.getState()).containsExactly(PodSandboxState.SANDBOX_NOTREADY);
            ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("late"))
                    .setImage(ImageSpec.newBuilder().setImage(imageRef)).addAllCommand(List.of("sleep", "3600")).build();
            assertThatThrownBy(() -> rt().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(c)
                    .setSandboxConfig(podConfig).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription()).contains("pod sandbox " + pod + " is not ready");
                    });
        } finally {
            rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        }
    }

    @Test
    void aContainerIsCreatedUntilItsStartAnswersAndAStartThatFailsLeavesItCreated() throws Exception {
        // StartContainer saves the started state while the task is made: meanwhile ContainerStatus (kubelet's
        // relist) must show CREATED or RUNNING, never EXITED for a task that is not there yet
        String imageRef = img().pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(BUSYBOX)).build()).getImageRef();
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("starts").setUid("uid-starts").setNamespace("default"))
                .setHostname("starts").setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)).build();
        String pod = rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId();
        try {
            for (int round = 0; round < 3; round++) {
                ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("polled").setAttempt(round))
                        .setImage(ImageSpec.newBuilder().setImage(imageRef)).addAllCommand(List.of("sleep", "3600")).build();
                String id = rt().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(c)
                        .setSandboxConfig(podConfig).build()).getContainerId();
                Set<ContainerState> seen = ConcurrentHashMap.newKeySet();
                java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicBoolean startAnswered = new java.util.concurrent.atomic.AtomicBoolean();
                Thread poller = Thread.ofPlatform().start(() -> {
                    while (!startAnswered.get()) {
                        seen.add(containerStatus(id).getState());
                        polls.incrementAndGet();
                    }
                });
                try {
                    rt().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
                } finally {
                    startAnswered.set(true);
                    poller.join(60_000);
                }
                assertThat(polls.get()).as("ContainerStatus calls during StartContainer").isPositive();
                assertThat(seen).as("states ContainerStatus showed during StartContainer")
                        .isSubsetOf(ContainerState.CONTAINER_CREATED, ContainerState.CONTAINER_RUNNING);
                ContainerStatus after = containerStatus(id);
                assertThat(after.getState()).isEqualTo(ContainerState.CONTAINER_RUNNING);
                assertThat(after.getStartedAt()).as("startedAt").isGreaterThanOrEqualTo(after.getCreatedAt());
            }

            ContainerConfig missing = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("missing"))
                    .setImage(ImageSpec.newBuilder().setImage(imageRef)).addAllCommand(List.of("/no/such/program")).build();
            String failing = rt().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(missing)
                    .setSandboxConfig(podConfig).build()).getContainerId();
            assertThatThrownBy(() -> rt().startContainer(StartContainerRequest.newBuilder().setContainerId(failing).build()))
                    .as("StartContainer of a program the image does not have").isInstanceOf(StatusRuntimeException.class);
            ContainerStatus failed = containerStatus(failing);
            assertThat(failed.getState()).as("state after a start that failed").isEqualTo(ContainerState.CONTAINER_CREATED);
            assertThat(failed.getStartedAt()).as("startedAt after a start that failed").isZero();
        } finally {
            rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        }
    }

    PodSandboxState podState(String pod) {
        return rt().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()).getStatus().getState();
    }

    @Test
    void aPodWhoseNetworkFailsAfterItsNamespaceWasMadeIsRefusedAndLeavesNothing() throws Exception {
        // the pod's CNI set-up runs beside its pause container's create; a host port in use fails it after
        // the namespace was pinned (the pause container may be created and started meanwhile): all of it goes
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                    .setMetadata(PodSandboxMetadata.newBuilder().setName("refused").setUid("uid-refused").setNamespace("default"))
                    .addPortMappings(PortMapping.newBuilder().setProtocol(Protocol.TCP).setContainerPort(80).setHostPort(port))
                    .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT))
                    .build();
            var tasks = TasksGrpc.newBlockingStub(channel.namespaced("k8s.io"));
            var records = ContainersGrpc.newBlockingStub(channel.namespaced("k8s.io"));
            int tasksBefore = tasks.list(ListTasksRequest.getDefaultInstance()).getTasksCount();
            int recordsBefore = records.list(io.jcontainerd.api.services.containers.v1.ListContainersRequest.getDefaultInstance()).getContainersCount();
            List<Path> netnsBefore = list(daemon.state().resolve("netns"));

            assertThatThrownBy(() -> rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                        assertThat(e.getStatus().getDescription()).contains("0.0.0.0:" + port);
                    });

            assertThat(rt().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList())
                    .noneMatch(p -> p.getMetadata().getName().equals("refused"));
            assertThat(tasks.list(ListTasksRequest.getDefaultInstance()).getTasksCount()).as("tasks in k8s.io").isEqualTo(tasksBefore);
            assertThat(records.list(io.jcontainerd.api.services.containers.v1.ListContainersRequest.getDefaultInstance()).getContainersCount())
                    .as("containers in k8s.io").isEqualTo(recordsBefore);
            assertThat(list(daemon.state().resolve("netns"))).as("pinned network namespaces").containsExactlyInAnyOrderElementsOf(netnsBefore);
        }
    }

    String startContainer(String pod, PodSandboxConfig podConfig, String image, String name, List<String> command, NamespaceOption ns) {
        ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(command)
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(ns)))
                .build();
        String id = rt().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(c).setSandboxConfig(podConfig).build())
                .getContainerId();
        rt().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        await(name + " running", () -> containerStatus(id), s -> s.getState() == ContainerState.CONTAINER_RUNNING);
        return id;
    }

    ContainerStatus containerStatus(String id) {
        return rt().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()).getStatus();
    }

    static List<String> readLines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<Path> list(Path d) throws IOException {
        if (!Files.exists(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    static <T> T await(String what, Supplier<T> get, java.util.function.Predicate<T> done) {
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
}
