package io.jcontainerd.runtime.spec;


import java.util.List;

/** linux.resources: the cgroup settings jrunc applies. */
public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids, BlockIO blockIO) {
    public static final Resources NONE = new Resources(null, null, null, null, null);

    public Resources {
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

    public record Memory(Long limit, Long reservation, Long swap, Long swappiness) {}

    public record Cpu(Long shares, Long quota, Long period, Long realtimeRuntime, Long realtimePeriod, String cpus, String mems) {}

    public record Pids(long limit) {}

    public record BlockIO(Integer weight) {}
}
