package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetrics;
import io.jcontainerd.api.cri.v1.Metric;
import io.jcontainerd.api.cri.v1.MetricDescriptor;
import io.jcontainerd.api.cri.v1.MetricType;
import io.jcontainerd.api.cri.v1.PodSandboxMetrics;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.api.cri.v1.UInt64Value;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.tasks.ProcessState;
import io.jcontainerd.supervisor.tasks.TaskManager;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * ListMetricDescriptors and ListPodSandboxMetrics (kubelet's /metrics/cadvisor from the runtime,
 * PodAndContainerStatsFromCRI), with containerd's cAdvisor names and label keys {@code id, name}:
 * per running container its CPU time, memory usage, working set and RSS from its cgroup and its
 * process count, and the CFS counters of one with a CPU quota — periods, throttled periods,
 * throttled seconds — (labels: container id, container name); per ready pod the counters of each
 * interface of its network namespace but lo (labels: pod id, pod name, interface), none for a
 * hostNetwork pod. Counters of seconds are whole seconds, as containerd's.
 */
public final class PodMetrics {
    private static final Logger LOG = Logger.getLogger(PodMetrics.class.getName());
    private static final List<String> BASE = List.of("id", "name");
    private static final List<String> WITH_INTERFACE = List.of("id", "name", "interface");

    private record ContainerMetric(MetricDescriptor descriptor, MetricType type, ToLongFunction<CgroupUsage> value) {
    }

    private record NetworkMetric(MetricDescriptor descriptor, ToLongFunction<NetDevStats.Counters> value) {
    }

    private static final List<ContainerMetric> CONTAINER = List.of(
            new ContainerMetric(descriptor("container_cpu_usage_seconds_total", "Cumulative CPU time consumed in seconds.", BASE),
                    MetricType.COUNTER, u -> u.cpuNanos() / 1_000_000_000L),
            new ContainerMetric(descriptor("container_memory_usage_bytes",
                    "Current memory usage in bytes, including all memory regardless of when it was accessed", BASE),
                    MetricType.GAUGE, CgroupUsage::memoryUsage),
            new ContainerMetric(descriptor("container_memory_working_set_bytes", "Current working set in bytes.", BASE),
                    MetricType.GAUGE, CgroupUsage::workingSet),
            new ContainerMetric(descriptor("container_memory_rss", "Size of RSS in bytes.", BASE), MetricType.GAUGE, CgroupUsage::rss));
    private static final MetricDescriptor PROCESSES = descriptor("container_processes", "Number of processes running inside the container.", BASE);

    private record ThrottlingMetric(MetricDescriptor descriptor, ToLongFunction<CpuThrottling> value) {
    }

    /** cAdvisor's CFS metrics: only for a container whose quota made periods elapse, as cAdvisor. */
    private static final List<ThrottlingMetric> THROTTLING = List.of(
            new ThrottlingMetric(descriptor("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals.", BASE),
                    CpuThrottling::periods),
            new ThrottlingMetric(descriptor("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals.", BASE),
                    CpuThrottling::throttledPeriods),
            new ThrottlingMetric(descriptor("container_cpu_cfs_throttled_seconds_total", "Total time duration the container has been throttled.",
                    BASE), t -> t.throttledNanos() / 1_000_000_000L));
    private static final List<NetworkMetric> NETWORK = List.of(
            new NetworkMetric(descriptor("container_network_receive_bytes_total", "Cumulative count of bytes received", WITH_INTERFACE),
                    NetDevStats.Counters::rxBytes),
            new NetworkMetric(descriptor("container_network_receive_packets_total", "Cumulative count of packets received", WITH_INTERFACE),
                    NetDevStats.Counters::rxPackets),
            new NetworkMetric(descriptor("container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving",
                    WITH_INTERFACE), NetDevStats.Counters::rxDropped),
            new NetworkMetric(descriptor("container_network_receive_errors_total", "Cumulative count of errors encountered while receiving",
                    WITH_INTERFACE), NetDevStats.Counters::rxErrors),
            new NetworkMetric(descriptor("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", WITH_INTERFACE),
                    NetDevStats.Counters::txBytes),
            new NetworkMetric(descriptor("container_network_transmit_packets_total", "Cumulative count of packets transmitted", WITH_INTERFACE),
                    NetDevStats.Counters::txPackets),
            new NetworkMetric(descriptor("container_network_transmit_packets_dropped_total",
                    "Cumulative count of packets dropped while transmitting", WITH_INTERFACE), NetDevStats.Counters::txDropped),
            new NetworkMetric(descriptor("container_network_transmit_errors_total", "Cumulative count of errors encountered while transmitting",
                    WITH_INTERFACE), NetDevStats.Counters::txErrors));

    private final CriRecords records;
    private final PodSandboxes sandboxes;
    private final TaskManager tasks;
    private final Clock clock;

    PodMetrics(CriRecords records, PodSandboxes sandboxes, TaskManager tasks, Clock clock) {
        this.records = records;
        this.sandboxes = sandboxes;
        this.tasks = tasks;
        this.clock = clock;
    }

    private static MetricDescriptor descriptor(String name, String help, List<String> labels) {
        return MetricDescriptor.newBuilder().setName(name).setHelp(help).addAllLabelKeys(labels).build();
    }

    /** Every metric ListPodSandboxMetrics answers. */
    public List<MetricDescriptor> descriptors() {
        List<MetricDescriptor> out = new ArrayList<>();
        CONTAINER.forEach(m -> out.add(m.descriptor()));
        out.add(PROCESSES);
        THROTTLING.forEach(m -> out.add(m.descriptor()));
        NETWORK.forEach(m -> out.add(m.descriptor()));
        return out;
    }

    /** The metrics of every ready pod and of its running containers. */
    public List<PodSandboxMetrics> list() {
        long now = CriRecords.nanos(clock.instant());
        List<ContainerRecord> all = records.all("container");
        List<PodSandboxMetrics> out = new ArrayList<>();
        for (ContainerRecord r : records.all("sandbox")) {
            try {
                PodSandboxes.View v = sandboxes.view(r.id());
                if (v.ready() != PodSandboxState.SANDBOX_READY) {
                    continue;
                }
                PodSandboxMetrics.Builder pod = PodSandboxMetrics.newBuilder().setPodSandboxId(v.id());
                if (!v.hostNetwork()) {
                    for (NetDevStats.Counters c : NetDevStats.of(sandboxes.pausePid(v.id()))) {
                        for (NetworkMetric m : NETWORK) {
                            pod.addMetrics(metric(m.descriptor(), MetricType.COUNTER, now, m.value().applyAsLong(c),
                                    v.id(), v.config().getMetadata().getName(), c.name()));
                        }
                    }
                }
                for (ContainerRecord c : all) {
                    if (c.sandbox().equals(v.id())) {
                        container(c, now).ifPresent(pod::addContainerMetrics);
                    }
                }
                out.add(pod.build());
            } catch (JcdException | IOException e) {
                // gone or stopped meanwhile: left out, as containerd leaves out a pod whose metrics fail
                LOG.fine(() -> "pod sandbox " + r.id() + " left out of ListPodSandboxMetrics: " + e.getMessage());
            }
        }
        return out;
    }

    private Optional<ContainerMetrics> container(ContainerRecord c, long now) {
        try {
            if (!tasks.exists(CriNames.NAMESPACE, c.id()) || tasks.get(CriNames.NAMESPACE, c.id(), "").status() != ProcessState.Status.RUNNING) {
                return Optional.empty();
            }
            Optional<CgroupUsage> usage = CgroupUsage.read(ContainerCgroup.cgroupsPath(c));
            if (usage.isEmpty()) {
                return Optional.empty();
            }
            String name = CriRecords.config(c, ContainerConfig.parser()).getMetadata().getName();
            ContainerMetrics.Builder b = ContainerMetrics.newBuilder().setContainerId(c.id());
            for (ContainerMetric m : CONTAINER) {
                b.addMetrics(metric(m.descriptor(), m.type(), now, m.value().applyAsLong(usage.get()), c.id(), name));
            }
            b.addMetrics(metric(PROCESSES, MetricType.GAUGE, now, tasks.pids(CriNames.NAMESPACE, c.id()).size(), c.id(), name));
            Optional<CpuThrottling> cfs = CpuThrottling.read(ContainerCgroup.cgroupsPath(c)).filter(t -> t.periods() > 0);
            for (ThrottlingMetric m : THROTTLING) {
                cfs.ifPresent(t -> b.addMetrics(metric(m.descriptor(), MetricType.COUNTER, now, m.value().applyAsLong(t), c.id(), name)));
            }
            return Optional.of(b.build());
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.FAILED_PRECONDITION) {
                throw e;
            }
            return Optional.empty();
        }
    }

    private static Metric metric(MetricDescriptor d, MetricType type, long now, long value, String... labels) {
        return Metric.newBuilder().setName(d.getName()).setTimestamp(now).setMetricType(type).addAllLabelValues(List.of(labels))
                .setValue(UInt64Value.newBuilder().setValue(value)).build();
    }
}
