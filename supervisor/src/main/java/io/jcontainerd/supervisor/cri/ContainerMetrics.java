package io.jcontainerd.supervisor.cri;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jcontainerd.api.cri.v1.CpuUsage;
import io.jcontainerd.api.cri.v1.MemoryUsage;
import io.jcontainerd.api.cri.v1.UInt64Value;

/**
 * A running container's CPU and memory in the CRI's shape, from its task's cgroup metrics (cgroup
 * v1 or v2, the Any the shim answers): CPU time used in nanoseconds; memory usage, RSS and the
 * working set, usage minus inactive file cache (what kubelet evicts on, as containerd computes it).
 */
final class ContainerMetrics {
    private ContainerMetrics() {
    }

    record Sample(CpuUsage cpu, MemoryUsage memory) {
    }

    static Sample of(Any data, long timestampNanos) {
        try {
            if (data.getTypeUrl().endsWith("cgroups.v1.Metrics")) {
                var m = io.jcontainerd.api.cgroups.v1.Metrics.parseFrom(data.getValue());
                long usage = m.getMemory().getUsage().getUsage();
                long inactive = m.getMemory().getTotalInactiveFile();
                return new Sample(cpu(timestampNanos, m.getCpu().getUsage().getTotal()),
                        memory(timestampNanos, usage, Math.max(0, usage - inactive), m.getMemory().getTotalRss()));
            }
            if (data.getTypeUrl().endsWith("cgroups.v2.Metrics")) {
                var m = io.jcontainerd.api.cgroups.v2.Metrics.parseFrom(data.getValue());
                long usage = m.getMemory().getUsage();
                long inactive = m.getMemory().getInactiveFile();
                return new Sample(cpu(timestampNanos, m.getCpu().getUsageUsec() * 1000),
                        memory(timestampNanos, usage, Math.max(0, usage - inactive), m.getMemory().getAnon()));
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the task's metrics are not a cgroups Metrics message: " + e.getMessage(), e);
        }
        throw new IllegalStateException("the task's metrics are of an unknown type " + data.getTypeUrl());
    }

    static CpuUsage cpu(long at, long nanos) {
        return CpuUsage.newBuilder().setTimestamp(at).setUsageCoreNanoSeconds(UInt64Value.newBuilder().setValue(nanos)).build();
    }

    static MemoryUsage memory(long at, long usage, long workingSet, long rss) {
        return MemoryUsage.newBuilder().setTimestamp(at).setUsageBytes(UInt64Value.newBuilder().setValue(usage))
                .setWorkingSetBytes(UInt64Value.newBuilder().setValue(workingSet)).setRssBytes(UInt64Value.newBuilder().setValue(rss)).build();
    }
}
