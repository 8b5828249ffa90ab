package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.spec.Hooks;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlanCodecTest {
    @Test
    void roundTripsEveryField() {
        var rootfs = new InitPlan.Rootfs("/b/rootfs", 7, true, true,
                List.of(new InitPlan.MountStep(InitPlan.MountStep.Kind.RBIND, "/src", "/dst", "", 4096, 1, 2, "x=y")), false,
                List.of(new InitPlan.DeviceNode("/dev/fuse", 020000, 10, 229, 0666, 1, 2)), List.of("/proc/kcore"), List.of("/proc/sys"));
        InitPlan p = new InitPlan(false, List.of("/a/cgroup.procs"), true, null, "/proc/1/ns/mnt", rootfs, "h", "d",
                Map.of("k", "v"), List.of(new InitPlan.Limit(7, -1, -1)), -500, 1000, 1001, List.of(5L, 6L), 022,
                new InitPlan.CapSets(1, 2, 3, 4, 5), true, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, List.of("sh", "-c", "é"),
                List.of("A=B"), "/w", "/fifo", true, "/sock", true, 2,
                new InitPlan.ContainerHooks("1.0.2-dev", "c1", "/b", Map.of("a", "b"),
                        List.of(new Hooks.Hook("/bin/h", List.of("h", "x"), List.of("E=1"), 5)),
                        List.of(new Hooks.Hook("/bin/s", List.of(), List.of(), null))),
                new InitPlan.Lsm("docker-default", "u:r:t:s0"), new InitPlan.ConsoleSize(30, 100));
        InitPlan back = PlanCodec.decode(PlanCodec.encode(p));
        assertThat(back).usingRecursiveComparison().isEqualTo(p);
    }
}
