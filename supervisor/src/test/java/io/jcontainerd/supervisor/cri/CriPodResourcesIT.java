package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatus;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerResources;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.UpdateContainerResourcesRequest;
import io.jcontainerd.testsupport.TestCgroups;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pod's resources through the CRI, checked where a user would look: the container's cgroup
 * files (cgroup v1 or v2, whichever the host has), their change by UpdateContainerResources while
 * it runs, OOMKilled in ContainerStatus for a container the kernel killed at its memory limit, and
 * one /dev/shm shared by the containers of a pod.
 */
class CriPodResourcesIT {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");
    static final boolean V2 = Files.exists(CGROUP.resolve("cgroup.controllers"));
    static CriNode node;
    static String image;
    static String pod;
    static PodSandboxConfig podConfig;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("crires");
        image = node.pull("busybox");
        podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("res").setUid("uid-res").setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(node.cgroupParent).setSecurityContext(LinuxSandboxSecurityContext.newBuilder()))
                .build();
        pod = node.runPod(podConfig);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static ContainerConfig container(String name, LinuxContainerResources resources, String... command) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of(command))
                .setLinux(LinuxContainerConfig.newBuilder().setResources(resources).setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build();
    }

    /** The memory limit in the container's cgroup (bytes; -1 for none). */
    static long memoryLimit(String id) throws IOException {
        if (V2) {
            String v = Files.readString(CGROUP.resolve(node.cgroupParent.substring(1)).resolve(id).resolve("memory.max")).strip();
            return v.equals("max") ? -1 : Long.parseLong(v);
        }
        return Long.parseLong(Files.readString(CGROUP.resolve("memory").resolve(node.cgroupParent.substring(1)).resolve(id).resolve("memory.limit_in_bytes")).strip());
    }

    /** quota and period in microseconds. */
    static List<Long> cpuMax(String id) throws IOException {
        if (V2) {
            String[] v = Files.readString(CGROUP.resolve(node.cgroupParent.substring(1)).resolve(id).resolve("cpu.max")).strip().split(" ");
            return List.of(v[0].equals("max") ? -1 : Long.parseLong(v[0]), Long.parseLong(v[1]));
        }
        Path d = CGROUP.resolve("cpu").resolve(node.cgroupParent.substring(1)).resolve(id);
        return List.of(Long.parseLong(Files.readString(d.resolve("cpu.cfs_quota_us")).strip()),
                Long.parseLong(Files.readString(d.resolve("cpu.cfs_period_us")).strip()));
    }

    @Test
    void limitsAreInTheContainersCgroupAndUpdateContainerResourcesChangesThemWhileItRuns() throws Exception {
        String c = node.run(pod, podConfig, container("limited", LinuxContainerResources.newBuilder()
                .setMemoryLimitInBytes(64L << 20).setCpuQuota(50_000).setCpuPeriod(100_000).setCpuShares(512).build(), "sleep", "3600"));

        assertThat(memoryLimit(c)).isEqualTo(64L << 20);
        assertThat(cpuMax(c)).containsExactly(50_000L, 100_000L);

        node.runtime.updateContainerResources(UpdateContainerResourcesRequest.newBuilder().setContainerId(c)
                .setLinux(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(128L << 20).setCpuQuota(20_000).setCpuPeriod(100_000)
                        .setCpuShares(256))
                .build());

        assertThat(memoryLimit(c)).isEqualTo(128L << 20);
        assertThat(cpuMax(c)).containsExactly(20_000L, 100_000L);
        assertThat(node.status(c).getState()).isEqualTo(ContainerState.CONTAINER_RUNNING);
    }

    @Test
    void containerStatsReportCpuTimeAndMemoryFromTheCgroup() throws Exception {
        String c = node.run(pod, podConfig, container("busy", LinuxContainerResources.getDefaultInstance(),
                "sh", "-c", "head -c 8000000 /dev/zero > /dev/shm/fill; while :; do :; done"));

        var s = node.await("cpu time and memory of busy", () -> node.runtime.containerStats(
                        io.jcontainerd.api.cri.v1.ContainerStatsRequest.newBuilder().setContainerId(c).build()).getStats(),
                x -> x.getCpu().getUsageCoreNanoSeconds().getValue() > 50_000_000L && x.getMemory().getUsageBytes().getValue() > 4_000_000L);
        assertThat(s.getAttributes().getId()).isEqualTo(c);
        assertThat(s.getAttributes().getMetadata().getName()).isEqualTo("busy");
        assertThat(s.getMemory().getWorkingSetBytes().getValue()).isPositive().isLessThanOrEqualTo(s.getMemory().getUsageBytes().getValue());

        var listed = node.runtime.listContainerStats(io.jcontainerd.api.cri.v1.ListContainerStatsRequest.newBuilder()
                .setFilter(io.jcontainerd.api.cri.v1.ContainerStatsFilter.newBuilder().setId(c)).build()).getStatsList();
        assertThat(listed).extracting(x -> x.getAttributes().getId()).containsExactly(c);
        node.runtime.stopContainer(io.jcontainerd.api.cri.v1.StopContainerRequest.newBuilder().setContainerId(c).setTimeout(0).build());
    }

    @Test
    void thePodsResourcesPlusOverheadLimitItsCgroupUnderWhichItsContainersRunAndItGoesWithThePod() throws Exception {
        String parent = "jcdtest-pod-" + Long.toHexString(System.nanoTime());
        PodSandboxConfig sized = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("sized").setUid("uid-sized").setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent("/" + parent)
                        .setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(64L << 20).setCpuQuota(50_000)
                                .setCpuPeriod(100_000).setCpuShares(512))
                        .setOverhead(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(16L << 20).setCpuQuota(10_000).setCpuShares(100))
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()))
                .build();
        List<Path> dirs = V2 ? List.of(CGROUP.resolve(parent)) : List.of(CGROUP.resolve("memory").resolve(parent), CGROUP.resolve("cpu").resolve(parent));
        String sizedPod = node.runPod(sized);
        try {
            String c = node.run(sizedPod, sized, container("inside", LinuxContainerResources.getDefaultInstance(), "sleep", "3600"));
            if (V2) {
                assertThat(Files.readString(dirs.getFirst().resolve("memory.max")).strip()).isEqualTo(Long.toString(80L << 20));
                assertThat(Files.readString(dirs.getFirst().resolve("cpu.max")).strip()).isEqualTo("60000 100000");
            } else {
                assertThat(Files.readString(dirs.get(0).resolve("memory.limit_in_bytes")).strip()).isEqualTo(Long.toString(80L << 20));
                assertThat(Files.readString(dirs.get(1).resolve("cpu.cfs_quota_us")).strip()).isEqualTo("60000");
                assertThat(Files.readString(dirs.get(1).resolve("cpu.cfs_period_us")).strip()).isEqualTo("100000");
                assertThat(Files.readString(dirs.get(1).resolve("cpu.shares")).strip()).isEqualTo("612");
            }
            assertThat(dirs.getFirst().resolve(c)).as("the container's cgroup, under the pod's").isDirectory();

            node.removePod(sizedPod);
            // in every hierarchy: the runtime made it in blkio, pids, name=systemd, ... as the containers' parent
            assertThat(TestCgroups.existing(parent)).as("the pod's cgroup after RemovePodSandbox, in any hierarchy").isEmpty();
        } finally {
            node.removePod(sizedPod);
            assertThat(TestCgroups.remove(parent)).as("cgroups of the pod left").isEmpty();
        }
    }

    @Test
    void aContainerKilledAtItsMemoryLimitIsReportedOomKilled() {
        // tail keeps the current line, and /dev/zero has no newline: it grows until the limit
        String c = node.run(pod, podConfig, container("hog", LinuxContainerResources.newBuilder().setMemoryLimitInBytes(16L << 20).build(),
                "tail", "/dev/zero"));

        ContainerStatus s = node.await("hog exited", () -> node.status(c), x -> x.getState() == ContainerState.CONTAINER_EXITED);
        assertThat(s.getExitCode()).isEqualTo(137);
        assertThat(s.getReason()).isEqualTo("OOMKilled");
    }

    @Test
    void theContainersOfAPodShareItsDevShm() {
        String writer = node.run(pod, podConfig, container("writer", LinuxContainerResources.getDefaultInstance(), "sleep", "3600"));
        String reader = node.run(pod, podConfig, container("reader", LinuxContainerResources.getDefaultInstance(), "sleep", "3600"));

        assertThat(node.sh(writer, "echo from-writer > /dev/shm/note && echo written")).isEqualTo("written\n");
        assertThat(node.sh(reader, "cat /dev/shm/note")).isEqualTo("from-writer\n");
        assertThat(node.sh(reader, "grep ' /dev/shm ' /proc/mounts")).contains("tmpfs").contains("nosuid").contains("nodev").contains("noexec");
    }
}
