package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.cgroups.CgroupManager;
import io.jcontainerd.runtime.init.InitPlan;
import io.jcontainerd.runtime.spec.Resources;
import io.jcontainerd.runtime.spec.Spec;
import io.jcontainerd.runtime.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlanBuilderTest {
    @TempDir Path bundle;

    /** A v1 host with two hierarchies, without touching /sys/fs/cgroup. */
    static final class FakeV1 implements CgroupManager {
        @Override public void create(Resources r) {}
        @Override public void update(Resources r) {}
        @Override public List<String> joinFiles() { return List.of("/sys/fs/cgroup/memory/c/tasks"); }
        @Override public void adopt(int pid) {}
        @Override public Map<String, String> hierarchyBinds() { return Map.of("memory", "/sys/fs/cgroup/memory/c"); }
        @Override public Map<String, String> hierarchySymlinks() { return Map.of("cpu", "cpu,cpuacct"); }
        @Override public void freeze() {}
        @Override public void thaw() {}
        @Override public boolean frozen() { return false; }
        @Override public List<Integer> pids() { return List.of(); }
        @Override public Stats stats() { return null; }
        @Override public void destroy() {}
        @Override public boolean unified() { return false; }
    }

    @Test
    void expandsRuncsDefaultSpecIntoTheInitPlan() throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        try (var in = getClass().getResourceAsStream("/io/jcontainerd/runtime/default-config.json")) {
            Files.write(bundle.resolve("config.json"), in.readAllBytes());
        }
        Spec spec = SpecLoader.load(bundle);
        InitPlan p = PlanBuilder.forCreate("c1", spec, bundle, new FakeV1(), new PlanBuilder.CreateOptions("/f", null, 0, false));
        assertThat(p.rootfs().path()).isEqualTo(bundle.resolve("rootfs").toRealPath().toString());
        assertThat(p.rootfs().readonly()).isTrue();
        assertThat(p.rootfs().devices()).extracting(InitPlan.DeviceNode::path)
                .containsExactly("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty");
        // the cgroup mount becomes a tmpfs with the container's own hierarchy directories bound in, then read-only
        assertThat(p.rootfs().mounts()).extracting(m -> m.kind() + " " + m.destination()).containsSubsequence(
                "FS /sys/fs/cgroup", "BIND /sys/fs/cgroup/memory", "SYMLINK /sys/fs/cgroup/cpu");
        assertThat(p.caps().bounding()).isEqualTo((1L << 29) | (1L << 5) | (1L << 10));
        assertThat(p.noNewPrivileges()).isTrue();
        assertThat(p.hostname()).isEqualTo("jrunc");
        assertThat(p.rlimits()).containsExactly(new InitPlan.Limit(7, 1024, 1024));
        assertThat(p.cgroupJoin()).containsExactly("/sys/fs/cgroup/memory/c/tasks");
    }

    @Test
    void mapsSystemdStyleCgroupPathsOntoTheHierarchy() {
        assertThat(CgroupManager.normalize("system.slice:docker:abc", "abc")).isEqualTo("/system.slice/docker-abc.scope");
        assertThat(CgroupManager.normalize(null, "abc")).isEqualTo("/abc");
        assertThat(CgroupManager.normalize("/default/abc", "abc")).isEqualTo("/default/abc");
    }

    static io.jcontainerd.runtime.spec.Process process(String json) {
        return io.jcontainerd.runtime.spec.SpecJson.process(io.jcontainerd.runtime.spec.Json.parse(json));
    }

    @Test
    void aTerminalProcessGetsItsConsoleSizeOnlyWithBothHeightAndWidthAsWithRunc() {
        String args = "\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}";
        assertThat(PlanBuilder.consoleSize(process("{\"terminal\": true, \"consoleSize\": {\"height\": 30, \"width\": 100}, " + args + "}")))
                .isEqualTo(new InitPlan.ConsoleSize(30, 100));
        assertThat(PlanBuilder.consoleSize(process("{\"terminal\": true, \"consoleSize\": {\"height\": 30}, " + args + "}"))).isNull();
        assertThat(PlanBuilder.consoleSize(process("{\"terminal\": true, " + args + "}"))).isNull();
        assertThat(PlanBuilder.consoleSize(process("{\"terminal\": false, \"consoleSize\": {\"height\": 30, \"width\": 100}, " + args + "}")))
                .as("no pty to size").isNull();
    }

    @Test
    void aConsoleSizeBeyondATerminalsUnsignedShortIsRefusedNamingTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> process(
                        "{\"terminal\": true, \"consoleSize\": {\"height\": 65536, \"width\": 100}, \"args\": [\"sh\"], \"cwd\": \"/\"}"))
                .hasMessageContaining("process.consoleSize.height 65536 is out of range: a terminal has 0 to 65535 rows");
    }
}
