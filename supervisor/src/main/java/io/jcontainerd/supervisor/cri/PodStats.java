package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerStatsFilter;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxStats;
import io.jcontainerd.api.cri.v1.MemoryUsage;
import io.jcontainerd.api.cri.v1.NetworkInterfaceUsage;
import io.jcontainerd.api.cri.v1.NetworkUsage;
import io.jcontainerd.api.cri.v1.PodSandboxAttributes;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.api.cri.v1.PodSandboxStats;
import io.jcontainerd.api.cri.v1.PodSandboxStatsFilter;
import io.jcontainerd.api.cri.v1.ProcessUsage;
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
import java.util.logging.Logger;

/**
 * PodSandboxStats and ListPodSandboxStats as containerd 1.7 answers them on Linux: CPU and memory
 * of the pod's cgroup (its cgroup_parent; a pod without one: the sum of its pause container's and
 * containers' cgroups), the counters of its network namespace's eth0 as the default interface
 * (every interface but lo in {@code interfaces}; none for a hostNetwork pod), the process count of
 * its running containers (the pause container not counted, as containerd) and the
 * ContainerStats of each of its containers. A pod that is not ready is UNAVAILABLE; the list
 * leaves it out.
 */
public final class PodStats {
    private static final Logger LOG = Logger.getLogger(PodStats.class.getName());
    private final CriRecords records;
    private final PodSandboxes sandboxes;
    private final PodContainers containers;
    private final TaskManager tasks;
    private final Clock clock;

    PodStats(CriRecords records, PodSandboxes sandboxes, PodContainers containers, TaskManager tasks, Clock clock) {
        this.records = records;
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.tasks = tasks;
        this.clock = clock;
    }

    public PodSandboxStats stats(String id) {
        return stats(sandboxes.view(id));
    }

    /** The stats of the ready pods matching the filter (id prefix, label selector). */
    public List<PodSandboxStats> list(PodSandboxStatsFilter filter) {
        List<PodSandboxStats> out = new ArrayList<>();
        for (ContainerRecord r : records.all("sandbox")) {
            if (!CriFilters.idMatches(filter.getId(), r.id())) {
                continue;
            }
            PodSandboxes.View v;
            try {
                v = sandboxes.view(r.id());
            } catch (JcdException e) {
                continue; // removed meanwhile
            }
            if (!CriFilters.labelsMatch(filter.getLabelSelectorMap(), v.config().getLabelsMap())) {
                continue;
            }
            try {
                out.add(stats(v));
            } catch (JcdException e) {
                if (e.kind() != ErrorKind.UNAVAILABLE && e.kind() != ErrorKind.NOT_FOUND) {
                    throw e;
                }
                LOG.fine(() -> "pod sandbox " + r.id() + " left out of ListPodSandboxStats: " + e.getMessage());
            }
        }
        return out;
    }

    private PodSandboxStats stats(PodSandboxes.View v) {
        if (v.ready() != PodSandboxState.SANDBOX_READY) {
            throw JcdException.unavailable("pod sandbox %s is not ready: it has no stats (its pause container does not run)", v.id());
        }
        long now = CriRecords.nanos(clock.instant());
        var attributes = PodSandboxAttributes.newBuilder().setId(v.id()).setMetadata(v.config().getMetadata())
                .putAllLabels(v.config().getLabelsMap()).putAllAnnotations(v.config().getAnnotationsMap());
        LinuxPodSandboxStats.Builder linux = LinuxPodSandboxStats.newBuilder();
        List<ContainerRecord> members = records.all("container").stream().filter(c -> c.sandbox().equals(v.id())).toList();
        usage(v, members).ifPresent(u -> linux.setCpu(ContainerMetrics.cpu(now, u.cpuNanos())).setMemory(memory(now, u)));
        if (!v.hostNetwork()) {
            linux.setNetwork(network(v.id(), now));
        }
        long processes = 0;
        for (ContainerRecord c : members) {
            if (running(c.id())) {
                try {
                    processes += tasks.pids(CriNames.NAMESPACE, c.id()).size();
                } catch (JcdException e) {
                    if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.FAILED_PRECONDITION) {
                        throw e;
                    }
                }
            }
        }
        linux.setProcess(ProcessUsage.newBuilder().setTimestamp(now).setProcessCount(UInt64Value.newBuilder().setValue(processes)));
        linux.addAllContainers(containers.listStats(ContainerStatsFilter.newBuilder().setPodSandboxId(v.id()).build()));
        return PodSandboxStats.newBuilder().setAttributes(attributes).setLinux(linux).build();
    }

    /** The pod's cgroup's usage; without a cgroup parent, the sum of its pause container's and running containers' cgroups. */
    private Optional<CgroupUsage> usage(PodSandboxes.View v, List<ContainerRecord> members) {
        String parent = v.config().getLinux().getCgroupParent();
        if (!parent.isEmpty()) {
            return CgroupUsage.read(parent);
        }
        List<CgroupUsage> parts = new ArrayList<>();
        CgroupUsage.read(ContainerCgroup.cgroupsPath(v.record())).ifPresent(parts::add);
        for (ContainerRecord c : members) {
            if (running(c.id())) {
                CgroupUsage.read(ContainerCgroup.cgroupsPath(c)).ifPresent(parts::add);
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(CgroupUsage.sum(parts));
    }

    private boolean running(String id) {
        try {
            return tasks.exists(CriNames.NAMESPACE, id) && tasks.get(CriNames.NAMESPACE, id, "").status() == ProcessState.Status.RUNNING;
        } catch (JcdException e) {
            return false;
        }
    }

    private static MemoryUsage memory(long now, CgroupUsage u) {
        MemoryUsage.Builder m = ContainerMetrics.memory(now, u.memoryUsage(), u.workingSet(), u.rss()).toBuilder()
                .setPageFaults(UInt64Value.newBuilder().setValue(u.pageFaults()))
                .setMajorPageFaults(UInt64Value.newBuilder().setValue(u.majorPageFaults()));
        if (u.limit() >= 0) {
            m.setAvailableBytes(UInt64Value.newBuilder().setValue(Math.max(0, u.limit() - u.workingSet())));
        }
        return m.build();
    }

    private NetworkUsage network(String id, long now) {
        NetworkUsage.Builder n = NetworkUsage.newBuilder().setTimestamp(now);
        List<NetworkInterfaceUsage> ifs;
        try {
            ifs = NetDevStats.of(sandboxes.pausePid(id)).stream().map(NetDevStats.Counters::usage).toList();
        } catch (IOException e) {
            throw JcdException.unavailable("pod sandbox %s: cannot read its network namespace's counters: %s", id, e.getMessage());
        }
        for (NetworkInterfaceUsage i : ifs) {
            if (i.getName().equals(NetDevStats.DEFAULT_INTERFACE)) {
                n.setDefaultInterface(i);
            }
        }
        return n.addAllInterfaces(ifs).build();
    }
}
