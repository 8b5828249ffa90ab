package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerStats;
import io.jcontainerd.api.cri.v1.ContainerStatsFilter;
import io.jcontainerd.api.cri.v1.ContainerStatsRequest;
import io.jcontainerd.api.cri.v1.ListContainerStatsRequest;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerResources;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.ListPodSandboxStatsRequest;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PodSandboxStats;
import io.jcontainerd.api.cri.v1.PodSandboxStatsFilter;
import io.jcontainerd.api.cri.v1.PodSandboxStatsRequest;
import io.jcontainerd.api.cri.v1.PodSandboxStatusRequest;
import io.jcontainerd.api.cri.v1.StopPodSandboxRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PodSandboxStats and ListPodSandboxStats as kubelet's CRI stats provider reads them: CPU and
 * memory of the pod's cgroup, the counters of the pod's eth0, the process count and the stats of
 * each container of the pod; filters; a pod that is not ready is UNAVAILABLE and left out of the
 * list; a hostNetwork pod has no network figures.
 */
class CriPodStatsIT {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");
    static final boolean V2 = Files.exists(CGROUP.resolve("cgroup.controllers"));
    static CriNode node;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("cristats");
        image = node.pull("busybox");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static PodSandboxConfig pod(String name, String cgroupParent, long memoryLimit, NamespaceMode network) {
        LinuxPodSandboxConfig.Builder linux = LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                .setNamespaceOptions(NamespaceOption.newBuilder().setNetwork(network)));
        if (!cgroupParent.isEmpty()) {
            linux.setCgroupParent(cgroupParent).setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(memoryLimit));
        }
        return PodSandboxConfig.newBuilder().setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid("uid-" + name).setNamespace("default"))
                .putLabels("app", name).putAnnotations("note", "stats of " + name).setLinux(linux).build();
    }

    static ContainerConfig container(String name, String script) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of("sh", "-c", script))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()))
                .build();
    }

    static PodSandboxStats stats(String pod) {
        return node.runtime.podSandboxStats(PodSandboxStatsRequest.newBuilder().setPodSandboxId(pod).build()).getStats();
    }

    static List<String> listed(PodSandboxStatsFilter filter) {
        return node.runtime.listPodSandboxStats(ListPodSandboxStatsRequest.newBuilder().setFilter(filter).build()).getStatsList().stream()
                .map(s -> s.getAttributes().getId()).toList();
    }

    static long cgroupCpuNanos(String parent) throws Exception {
        Path f = V2 ? CGROUP.resolve(parent.substring(1)).resolve("cpu.stat") : CGROUP.resolve("cpuacct").resolve(parent.substring(1)).resolve("cpuacct.usage");
        String text = Files.readString(f);
        return V2 ? CgroupUsage.keyed(f).get("usage_usec") * 1000 : Long.parseLong(text.strip());
    }

    @Test
    void podStatsGiveThePodCgroupsCpuAndMemoryItsEth0CountersItsProcessesAndEachContainersStats() throws Exception {
        String parent = "/jcdtest-stats-" + Long.toHexString(System.nanoTime());
        PodSandboxConfig config = pod("measured", parent, 256L << 20, NamespaceMode.POD);
        String pod = node.runPod(config);
        try {
            String busy = node.run(pod, config, container("busy", "head -c 8000000 /dev/zero > /dev/shm/fill; while :; do :; done"));
            String sleepers = node.run(pod, config, container("sleepers", "sleep 3600 & sleep 3600 & wait"));
            String ip = node.runtime.podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()).getStatus().getNetwork().getIp();
            String gateway = ip.substring(0, ip.lastIndexOf('.') + 1) + "1";
            // a TCP connection refused by the bridge's address: packets out of eth0 and back, none leaving the machine
            node.sh(sleepers, "wget -T 2 -q -O /dev/null http://" + gateway + ":9/ ; true");

            PodSandboxStats s = node.await("cpu, memory, 4 processes and traffic in the stats of pod measured", () -> stats(pod),
                    x -> x.getLinux().getCpu().getUsageCoreNanoSeconds().getValue() > 50_000_000L
                            && x.getLinux().getMemory().getUsageBytes().getValue() > 8_000_000L
                            && x.getLinux().getProcess().getProcessCount().getValue() == 4
                            && x.getLinux().getNetwork().getDefaultInterface().getTxBytes().getValue() > 0
                            && x.getLinux().getNetwork().getDefaultInterface().getRxBytes().getValue() > 0);
            long after = cgroupCpuNanos(parent);

            assertThat(s.getAttributes().getId()).isEqualTo(pod);
            assertThat(s.getAttributes().getMetadata()).isEqualTo(config.getMetadata());
            assertThat(s.getAttributes().getLabelsMap()).containsEntry("app", "measured");
            assertThat(s.getAttributes().getAnnotationsMap()).containsEntry("note", "stats of measured");
            var cpu = s.getLinux().getCpu();
            assertThat(cpu.getTimestamp()).isPositive();
            assertThat(cpu.getUsageCoreNanoSeconds().getValue()).as("the pod cgroup's CPU time, read before the file").isLessThanOrEqualTo(after);
            var memory = s.getLinux().getMemory();
            assertThat(memory.getWorkingSetBytes().getValue()).isPositive().isLessThanOrEqualTo(memory.getUsageBytes().getValue());
            assertThat(memory.getAvailableBytes().getValue()).as("the pod's 256 MiB limit minus its working set")
                    .isEqualTo((256L << 20) - memory.getWorkingSetBytes().getValue());
            assertThat(memory.getPageFaults().getValue()).isPositive();
            var net = s.getLinux().getNetwork();
            assertThat(net.getDefaultInterface().getName()).isEqualTo("eth0");
            assertThat(net.getInterfacesList()).extracting(i -> i.getName()).contains("eth0").doesNotContain("lo");
            assertThat(s.getLinux().getContainersList()).extracting(c -> c.getAttributes().getId()).containsExactlyInAnyOrder(busy, sleepers);
            ContainerStats busyStats = s.getLinux().getContainersList().stream().filter(c -> c.getAttributes().getId().equals(busy)).findFirst().orElseThrow();
            assertThat(busyStats.getAttributes().getMetadata().getName()).isEqualTo("busy");
            assertThat(busyStats.getCpu().getUsageCoreNanoSeconds().getValue()).isPositive()
                    .isLessThanOrEqualTo(cpu.getUsageCoreNanoSeconds().getValue() + 1_000_000_000L);
        } finally {
            node.removePod(pod);
        }
    }

    @Test
    void aContainersWritableLayerCountsTheBytesAndFilesItWrote() {
        PodSandboxConfig config = pod("disk", "", 0, NamespaceMode.POD);
        String pod = node.runPod(config);
        try {
            String c = node.run(pod, config, container("writer", "sleep 3600"));
            var before = node.runtime.containerStats(ContainerStatsRequest.newBuilder().setContainerId(c).build()).getStats().getWritableLayer();
            assertThat(before.getFsId().getMountpoint()).as("the image filesystem").isNotEmpty();
            assertThat(before.getTimestamp()).isPositive();
            int n = 5_000_000;
            assertThat(node.sh(c, "head -c " + n + " /dev/urandom > /blob && mkdir /d && touch /d/1 /d/2 /d/3 /d/4 /d/5 && echo written"))
                    .isEqualTo("written\n");
            var after = node.runtime.containerStats(ContainerStatsRequest.newBuilder().setContainerId(c).build()).getStats().getWritableLayer();
            assertThat(after.getUsedBytes().getValue()).as("bytes on disk of the writable layer after writing %d", n)
                    .isGreaterThanOrEqualTo(before.getUsedBytes().getValue() + n);
            assertThat(after.getInodesUsed().getValue()).as("the file, the directory and its 5 files")
                    .isGreaterThanOrEqualTo(before.getInodesUsed().getValue() + 7);
            var inPod = stats(pod).getLinux().getContainersList().stream().filter(x -> x.getAttributes().getId().equals(c)).findFirst().orElseThrow();
            assertThat(inPod.getWritableLayer().getUsedBytes().getValue()).isGreaterThanOrEqualTo(n);
            var listed = node.runtime.listContainerStats(ListContainerStatsRequest.newBuilder()
                    .setFilter(ContainerStatsFilter.newBuilder().setId(c)).build()).getStatsList();
            assertThat(listed).singleElement().satisfies(x -> assertThat(x.getWritableLayer().getUsedBytes().getValue()).isGreaterThanOrEqualTo(n));
        } finally {
            node.removePod(pod);
        }
    }

    @Test
    void listPodSandboxStatsFiltersByIdPrefixAndLabelsAndLeavesOutPodsThatAreNotReady() {
        PodSandboxConfig a = pod("list-a", "", 0, NamespaceMode.POD);
        PodSandboxConfig b = pod("list-b", "", 0, NamespaceMode.POD);
        PodSandboxConfig stopped = pod("list-stopped", "", 0, NamespaceMode.POD);
        String podA = node.runPod(a);
        String podB = node.runPod(b);
        String podStopped = node.runPod(stopped);
        try {
            node.run(podA, a, container("a", "sleep 3600"));
            node.runtime.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podStopped).build());

            assertThat(listed(PodSandboxStatsFilter.getDefaultInstance())).contains(podA, podB).doesNotContain(podStopped);
            assertThat(listed(PodSandboxStatsFilter.newBuilder().putLabelSelector("app", "list-b").build())).containsExactly(podB);
            assertThat(listed(PodSandboxStatsFilter.newBuilder().setId(podA.substring(0, 12)).build())).containsExactly(podA);
            assertThat(listed(PodSandboxStatsFilter.newBuilder().setId(podA).putLabelSelector("app", "list-b").build())).isEmpty();

            // no cgroup parent: the pod's figures are its pause container's and containers' cgroups together
            PodSandboxStats s = stats(podA);
            assertThat(s.getLinux().getMemory().getUsageBytes().getValue()).isPositive();
            assertThat(s.getLinux().getMemory().hasAvailableBytes()).as("no pod limit").isFalse();
            assertThat(s.getLinux().getCpu().getUsageCoreNanoSeconds().getValue()).isPositive();
            assertThat(s.getLinux().getProcess().getProcessCount().getValue()).isEqualTo(1);

            assertThatThrownBy(() -> stats(podStopped)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThatThrownBy(() -> stats("0123456789abcdef")).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        } finally {
            node.removePod(podA);
            node.removePod(podB);
            node.removePod(podStopped);
        }
    }

    @Test
    void aHostNetworkPodHasNoNetworkFigures() {
        PodSandboxConfig host = pod("hostnet", "", 0, NamespaceMode.NODE);
        String pod = node.runPod(host);
        try {
            PodSandboxStats s = stats(pod);
            assertThat(s.getLinux().hasNetwork()).isFalse();
            assertThat(s.getLinux().hasMemory()).isTrue();
            assertThat(s.getLinux().getProcess().getProcessCount().getValue()).as("no container yet; the pause container is not counted").isZero();
        } finally {
            node.removePod(pod);
        }
    }
}
