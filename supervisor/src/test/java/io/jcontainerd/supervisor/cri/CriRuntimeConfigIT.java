package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.CgroupDriver;
import io.jcontainerd.api.cri.v1.CheckpointContainerRequest;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerResources;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.ListMetricDescriptorsRequest;
import io.jcontainerd.api.cri.v1.ListPodSandboxMetricsRequest;
import io.jcontainerd.api.cri.v1.Metric;
import io.jcontainerd.api.cri.v1.MetricDescriptor;
import io.jcontainerd.api.cri.v1.MetricType;
import io.jcontainerd.api.cri.v1.NetworkConfig;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PodSandboxMetrics;
import io.jcontainerd.api.cri.v1.RuntimeConfig;
import io.jcontainerd.api.cri.v1.RuntimeConfigRequest;
import io.jcontainerd.api.cri.v1.StatusRequest;
import io.jcontainerd.api.cri.v1.UpdatePodSandboxResourcesRequest;
import io.jcontainerd.api.cri.v1.UpdateRuntimeConfigRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The RuntimeService methods kubelet calls besides a pod's life: UpdateRuntimeConfig (the node's
 * pod CIDR), RuntimeConfig (the cgroup driver), ListMetricDescriptors and ListPodSandboxMetrics
 * (its /metrics/cadvisor from the runtime), CheckpointContainer, UpdatePodSandboxResources, and the
 * Stream* variants of the List calls.
 */
class CriRuntimeConfigIT {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");
    static final boolean V2 = Files.exists(CGROUP.resolve("cgroup.controllers"));
    static CriNode node;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("criconf");
        image = node.pull("busybox");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static PodSandboxConfig pod(String name, String cgroupParent) {
        LinuxPodSandboxConfig.Builder linux = LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder());
        if (!cgroupParent.isEmpty()) {
            linux.setCgroupParent(cgroupParent).setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(128L << 20));
        }
        return PodSandboxConfig.newBuilder().setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid("uid-" + name).setNamespace("default"))
                .setLinux(linux).build();
    }

    static ContainerConfig container(String name, String script) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of("sh", "-c", script))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder())).build();
    }

    static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("the call succeeded");
    }

    static UpdateRuntimeConfigRequest podCidr(String cidr) {
        return UpdateRuntimeConfigRequest.newBuilder().setRuntimeConfig(RuntimeConfig.newBuilder()
                .setNetworkConfig(NetworkConfig.newBuilder().setPodCidr(cidr))).build();
    }

    @Test
    void updateRuntimeConfigKeepsThePodCidrThatStatusReportsAndRefusesOneThatIsNotACidr() {
        node.runtime.updateRuntimeConfig(podCidr("10.244.1.0/24, fd00:10:244:1::/64"));
        Map<String, String> info = node.runtime.status(StatusRequest.newBuilder().setVerbose(true).build()).getInfoMap();
        assertThat(info.get("podCIDRs")).isEqualTo("[\"10.244.1.0/24\",\"fd00:10:244:1::/64\"]");
        assertThat(info.get("podSubnet")).as("the subnet pods are really addressed from").matches("10\\.219\\.\\d+\\.0/24");

        node.runtime.updateRuntimeConfig(podCidr(""));
        assertThat(node.runtime.status(StatusRequest.newBuilder().setVerbose(true).build()).getInfoMap().get("podCIDRs"))
                .as("an empty pod CIDR changes nothing, as in containerd").isEqualTo("[\"10.244.1.0/24\",\"fd00:10:244:1::/64\"]");

        for (String bad : List.of("10.244.1.0", "10.244.1.0/33", "example.com/24", "10.244.1.0/24,nonsense")) {
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> node.runtime.updateRuntimeConfig(podCidr(bad)));
            assertThat(e.getStatus().getCode()).as(bad).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).as(bad).contains("is not a CIDR");
        }
    }

    @Test
    void runtimeConfigTellsKubeletToUseTheCgroupfsDriver() {
        assertThat(node.runtime.runtimeConfig(RuntimeConfigRequest.getDefaultInstance()).getLinux().getCgroupDriver())
                .isEqualTo(CgroupDriver.CGROUPFS);
    }

    @Test
    void checkpointContainerIsUnimplementedForAnyIdAsContainerd16SayingWhy() {
        PodSandboxConfig config = pod("ckpt", "");
        String pod = node.runPod(config);
        try {
            String c = node.run(pod, config, container("ckpt", "sleep 3600"));
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> node.runtime.checkpointContainer(CheckpointContainerRequest.newBuilder().setContainerId(c).setLocation("/tmp/x.tar").build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(e.getStatus().getDescription()).startsWith("method CheckpointContainer not implemented").contains("CRIU").contains(c);
            // containerd 1.6.20's cri answers UNIMPLEMENTED "method CheckpointContainer not implemented" whatever the id
            StatusRuntimeException unknown = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> node.runtime.checkpointContainer(CheckpointContainerRequest.newBuilder().setContainerId("nosuch").build()));
            assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(unknown.getStatus().getDescription()).startsWith("method CheckpointContainer not implemented").contains("\"nosuch\"");
        } finally {
            node.removePod(pod);
        }
    }

    @Test
    void podSandboxMetricsGiveEachRunningContainersCpuMemoryAndProcessesAndThePodsInterfacesUnderTheDescribedNamesAndLabels() {
        Map<String, MetricDescriptor> described = node.runtime.listMetricDescriptors(ListMetricDescriptorsRequest.getDefaultInstance())
                .getDescriptorsList().stream().collect(Collectors.toMap(MetricDescriptor::getName, d -> d));
        assertThat(described).containsKeys("container_cpu_usage_seconds_total", "container_memory_usage_bytes",
                "container_memory_working_set_bytes", "container_memory_rss", "container_processes",
                "container_network_receive_bytes_total", "container_network_transmit_bytes_total", "container_network_receive_errors_total");
        assertThat(described.values()).allSatisfy(d -> assertThat(d.getHelp()).isNotEmpty());

        PodSandboxConfig config = pod("metered", "");
        String pod = node.runPod(config);
        try {
            String busy = node.run(pod, config, container("busy", "sleep 3600 & while :; do :; done"));
            node.sh(busy, "wget -T 2 -q -O /dev/null http://127.0.0.1:9/ ; true");
            PodSandboxMetrics m = node.await("a second of CPU in busy's metrics", () -> node.runtime
                            .listPodSandboxMetrics(ListPodSandboxMetricsRequest.getDefaultInstance()).getPodMetricsList().stream()
                            .filter(p -> p.getPodSandboxId().equals(pod)).findFirst().orElse(PodSandboxMetrics.getDefaultInstance()),
                    p -> p.getContainerMetricsCount() == 1 && value(p.getContainerMetrics(0).getMetricsList(), "container_cpu_usage_seconds_total") >= 1);

            List<Metric> c = m.getContainerMetrics(0).getMetricsList();
            assertThat(m.getContainerMetrics(0).getContainerId()).isEqualTo(busy);
            assertThat(value(c, "container_processes")).as("sh and sleep").isEqualTo(2);
            assertThat(value(c, "container_memory_usage_bytes")).isPositive();
            assertThat(value(c, "container_memory_working_set_bytes")).isPositive().isLessThanOrEqualTo(value(c, "container_memory_usage_bytes"));
            for (Metric x : c) {
                assertThat(x.getLabelValuesList()).as("label values line up with the descriptor's keys %s", described.get(x.getName()).getLabelKeysList())
                        .hasSameSizeAs(described.get(x.getName()).getLabelKeysList()).containsExactly(busy, "busy");
                assertThat(x.getTimestamp()).isPositive();
            }
            assertThat(c.stream().filter(x -> x.getName().equals("container_cpu_usage_seconds_total")).findFirst().orElseThrow().getMetricType())
                    .isEqualTo(MetricType.COUNTER);
            Metric eth0Rx = m.getMetricsList().stream()
                    .filter(x -> x.getName().equals("container_network_receive_bytes_total") && x.getLabelValues(2).equals("eth0")).findFirst().orElseThrow();
            assertThat(eth0Rx.getLabelValuesList()).containsExactly(pod, "metered", "eth0");
            assertThat(m.getMetricsList()).extracting(x -> x.getLabelValues(2)).doesNotContain("lo");
        } finally {
            node.removePod(pod);
        }
    }

    @Test
    void aContainerHeldToItsCpuQuotaHasCfsThrottlingMetrics() {
        Map<String, MetricDescriptor> described = node.runtime.listMetricDescriptors(ListMetricDescriptorsRequest.getDefaultInstance())
                .getDescriptorsList().stream().collect(Collectors.toMap(MetricDescriptor::getName, d -> d));
        assertThat(described).containsKeys("container_cpu_cfs_periods_total", "container_cpu_cfs_throttled_periods_total",
                "container_cpu_cfs_throttled_seconds_total");
        PodSandboxConfig config = pod("throttled", "");
        String pod = node.runPod(config);
        try {
            // 10 ms of CPU every 100 ms period for a loop that wants all of it: throttled about 90 ms of each period
            String busy = node.run(pod, config, container("spinner", "while :; do :; done").toBuilder()
                    .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder())
                            .setResources(LinuxContainerResources.newBuilder().setCpuQuota(10_000).setCpuPeriod(100_000))).build());
            String idle = node.run(pod, config, container("idle", "sleep 3600"));
            PodSandboxMetrics m = node.await("a throttled second in spinner's metrics", () -> node.runtime
                            .listPodSandboxMetrics(ListPodSandboxMetricsRequest.getDefaultInstance()).getPodMetricsList().stream()
                            .filter(p -> p.getPodSandboxId().equals(pod)).findFirst().orElse(PodSandboxMetrics.getDefaultInstance()),
                    p -> p.getContainerMetricsList().stream().anyMatch(c -> c.getContainerId().equals(busy)
                            && value(c.getMetricsList(), "container_cpu_cfs_throttled_seconds_total") >= 1));
            List<Metric> spinner = m.getContainerMetricsList().stream().filter(c -> c.getContainerId().equals(busy)).findFirst().orElseThrow().getMetricsList();
            long periods = value(spinner, "container_cpu_cfs_periods_total");
            long throttled = value(spinner, "container_cpu_cfs_throttled_periods_total");
            assertThat(throttled).as("throttled periods").isPositive().isLessThanOrEqualTo(periods);
            assertThat(periods).as("a second throttled takes more than 10 periods of 100 ms").isGreaterThan(10);
            assertThat(spinner.stream().filter(x -> x.getName().startsWith("container_cpu_cfs_"))).allSatisfy(x -> {
                assertThat(x.getMetricType()).isEqualTo(MetricType.COUNTER);
                assertThat(x.getLabelValuesList()).containsExactly(busy, "spinner");
            });
            List<Metric> idleMetrics = m.getContainerMetricsList().stream().filter(c -> c.getContainerId().equals(idle)).findFirst().orElseThrow().getMetricsList();
            assertThat(idleMetrics).as("no CFS metrics without a quota, as cAdvisor").extracting(Metric::getName)
                    .contains("container_cpu_usage_seconds_total").noneMatch(n -> n.startsWith("container_cpu_cfs_"));
        } finally {
            node.removePod(pod);
        }
    }

    @Test
    void theStreamVariantsOfTheListCallsAnswerTheSameItems() {
        PodSandboxConfig config = pod("streamed", "");
        String pod = node.runPod(config);
        try {
            String c = node.run(pod, config, container("streamed", "sleep 3600"));
            var rt = node.runtime;
            assertThat(ids(rt.streamPodSandboxes(io.jcontainerd.api.cri.v1.StreamPodSandboxesRequest.getDefaultInstance()),
                    r -> r.getPodSandboxesList().stream().map(x -> x.getId()).toList()))
                    .containsExactlyInAnyOrderElementsOf(rt.listPodSandbox(io.jcontainerd.api.cri.v1.ListPodSandboxRequest.getDefaultInstance())
                            .getItemsList().stream().map(x -> x.getId()).toList()).contains(pod);
            assertThat(ids(rt.streamContainers(io.jcontainerd.api.cri.v1.StreamContainersRequest.newBuilder()
                            .setFilter(io.jcontainerd.api.cri.v1.ContainerFilter.newBuilder().setPodSandboxId(pod)).build()),
                    r -> r.getContainersList().stream().map(x -> x.getId()).toList())).containsExactly(c);
            assertThat(ids(rt.streamContainerStats(io.jcontainerd.api.cri.v1.StreamContainerStatsRequest.newBuilder()
                            .setFilter(io.jcontainerd.api.cri.v1.ContainerStatsFilter.newBuilder().setPodSandboxId(pod)).build()),
                    r -> r.getContainerStatsList().stream().map(x -> x.getAttributes().getId()).toList())).containsExactly(c);
            assertThat(ids(rt.streamPodSandboxStats(io.jcontainerd.api.cri.v1.StreamPodSandboxStatsRequest.newBuilder()
                            .setFilter(io.jcontainerd.api.cri.v1.PodSandboxStatsFilter.newBuilder().setId(pod)).build()),
                    r -> r.getPodSandboxStatsList().stream().map(x -> x.getAttributes().getId()).toList())).containsExactly(pod);
            assertThat(ids(rt.streamPodSandboxMetrics(io.jcontainerd.api.cri.v1.StreamPodSandboxMetricsRequest.getDefaultInstance()),
                    r -> r.getPodSandboxMetricsList().stream().map(x -> x.getPodSandboxId()).toList())).contains(pod);
            assertThat(ids(io.jcontainerd.api.cri.v1.ImageServiceGrpc.newBlockingStub(node.channel.raw())
                            .streamImages(io.jcontainerd.api.cri.v1.StreamImagesRequest.getDefaultInstance()),
                    r -> r.getImagesList().stream().map(x -> x.getId()).toList()))
                    .containsExactlyInAnyOrderElementsOf(node.images.listImages(io.jcontainerd.api.cri.v1.ListImagesRequest.getDefaultInstance())
                            .getImagesList().stream().map(x -> x.getId()).toList()).isNotEmpty();
        } finally {
            node.removePod(pod);
        }
    }

    /** Every id of every message of a streamed list. */
    static <R> List<String> ids(java.util.Iterator<R> messages, java.util.function.Function<R, List<String>> ids) {
        List<String> out = new java.util.ArrayList<>();
        messages.forEachRemaining(m -> out.addAll(ids.apply(m)));
        return out;
    }

    static long value(List<Metric> metrics, String name) {
        return metrics.stream().filter(x -> x.getName().equals(name)).findFirst().map(x -> x.getValue().getValue()).orElse(-1L);
    }

    @Test
    void updatePodSandboxResourcesResizesThePodsCgroup() throws Exception {
        String parent = "/jcdtest-resize-" + Long.toHexString(System.nanoTime());
        PodSandboxConfig config = pod("resized", parent);
        Path memory = V2 ? CGROUP.resolve(parent.substring(1)).resolve("memory.max")
                : CGROUP.resolve("memory").resolve(parent.substring(1)).resolve("memory.limit_in_bytes");
        String pod = node.runPod(config);
        try {
            assertThat(Files.readString(memory).strip()).isEqualTo(Long.toString(128L << 20));

            node.runtime.updatePodSandboxResources(UpdatePodSandboxResourcesRequest.newBuilder().setPodSandboxId(pod)
                    .setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(192L << 20))
                    .setOverhead(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(8L << 20)).build());

            assertThat(Files.readString(memory).strip()).isEqualTo(Long.toString(200L << 20));
        } finally {
            node.removePod(pod);
        }
        assertThat(memory.getParent()).as("the pod's cgroup after RemovePodSandbox").doesNotExist();

        String plain = node.runPod(pod("unparented", ""));
        try {
            assertThat(code(() -> node.runtime.updatePodSandboxResources(UpdatePodSandboxResourcesRequest.newBuilder().setPodSandboxId(plain)
                    .setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(64L << 20)).build())))
                    .isEqualTo(Status.Code.FAILED_PRECONDITION);
        } finally {
            node.removePod(plain);
        }
        assertThat(code(() -> node.runtime.updatePodSandboxResources(UpdatePodSandboxResourcesRequest.newBuilder().setPodSandboxId("nosuch").build())))
                .isEqualTo(Status.Code.NOT_FOUND);
    }
}
