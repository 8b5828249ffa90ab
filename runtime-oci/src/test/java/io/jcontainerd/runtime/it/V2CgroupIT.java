package io.jcontainerd.runtime.it;

import io.jcontainerd.runtime.cgroups.V2CgroupManager;
import io.jcontainerd.runtime.linux.Errno;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.spec.Resources;
import io.jcontainerd.runtime.spec.Resources.DeviceRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cgroup v2 driver on this hybrid host's cgroup2 hierarchy at /sys/fs/cgroup/unified, which has no
 * controllers but enforces device programs and has the core files: the device rules compiled to eBPF
 * and enforced on real device nodes, cgroup.procs, freezing through cgroup.freeze and cgroup.events,
 * and removal, which detaches and frees the program.
 */
class V2CgroupIT {
    static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");
    static final JnaSyscalls SYS = new JnaSyscalls();

    final String path = "/jrunc-it-" + UUID.randomUUID().toString().substring(0, 8);
    final List<Process> started = new ArrayList<>();
    Path nodes;
    V2CgroupManager cgroup;

    @BeforeEach
    void setUp() throws Exception {
        boolean cgroup2 = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.contains(" " + UNIFIED + " ") && l.contains(" - cgroup2 "));
        if (!cgroup2) throw new IllegalStateException(UNIFIED + " is not a cgroup2 mount on this host: this test needs a hybrid (or unified) host");
        if (!Files.isExecutable(Path.of("/bin/busybox"))) throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static");
        nodes = Files.createTempDirectory("jrunc-devices-");
        node("granted", LinuxConstants.S_IFCHR, 240, 0);
        node("other", LinuxConstants.S_IFCHR, 241, 0);
        node("null", LinuxConstants.S_IFCHR, 1, 3);
        node("loop", LinuxConstants.S_IFBLK, 7, 0);
        cgroup = new V2CgroupManager(UNIFIED, path, SYS);
    }

    private void node(String name, int type, long major, long minor) {
        SYS.mknod(nodes.resolve(name).toString(), type | 0666, LinuxConstants.makedev(major, minor));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            if (Files.exists(dir())) cgroup.destroy();
        } finally {
            try (Stream<Path> s = Files.walk(nodes)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    Path dir() { return Path.of(UNIFIED + path); }

    static DeviceRule rule(boolean allow, String type, Long major, Long minor, String access) {
        return new DeviceRule(allow, type, major, minor, access);
    }

    static Resources devices(DeviceRule... rules) { return new Resources(List.of(rules), null, null, null, null); }

    /** Each probe prints "name: ok" or "name: <the error>"; with join, the shell first moves itself into the cgroup. */
    private String probe(boolean join) throws Exception {
        String n = nodes.toString();
        String script = (join ? "echo $$ > " + dir() + "/cgroup.procs || exit 9\n" : "") + """
                probe() { if out=$(eval "$2" 2>&1); then echo "$1: ok"; else echo "$1: ${out##*: }"; fi; }
                probe granted-read "dd if=N/granted of=/dev/null count=0"
                probe granted-write "dd if=/dev/zero of=N/granted count=0 conv=notrunc"
                probe other-read "dd if=N/other of=/dev/null count=0"
                probe null-write "dd if=/dev/zero of=N/null count=1"
                probe loop-read "dd if=N/loop of=/dev/null count=0"
                probe mknod-char "mknod N/made-c$$ c 242 0"
                probe mknod-block "mknod N/made-b$$ b 7 9"
                """.replace("N/", n + "/");
        Process p = new ProcessBuilder("/bin/busybox", "sh", "-c", script).redirectErrorStream(true).start();
        started.add(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private List<Integer> programs() {
        int fd = SYS.open(dir().toString(), LinuxConstants.O_RDONLY | LinuxConstants.O_DIRECTORY | LinuxConstants.O_CLOEXEC);
        try {
            return SYS.bpfDevicePrograms(fd);
        } finally {
            SYS.close(fd);
        }
    }

    @Test
    void deviceRulesBecomeAnEbpfProgramTheKernelEnforcesOnTheCgroupsProcesses() throws Exception {
        // outside the cgroup every open reaches the (absent) driver: what EPERM there is comes from the program
        assertThat(probe(false)).contains("granted-write: No such device or address", "other-read: No such device or address",
                "null-write: ok", "mknod-char: ok");

        cgroup.create(devices(rule(false, "a", null, null, "rwm"), rule(true, "c", 240L, null, "r")));
        assertThat(programs()).hasSize(1);
        assertThat(probe(true)).isEqualTo("""
                granted-read: No such device or address
                granted-write: Operation not permitted
                other-read: Operation not permitted
                null-write: ok
                loop-read: Operation not permitted
                mknod-char: ok
                mknod-block: ok
                """);
    }

    @Test
    void withEverythingAllowedOnlyTheDeniedAccessFails() throws Exception {
        // (a deny of "b *:* m" would be taken back by runc's allow-list, which ends with exactly that rule)
        cgroup.create(devices(rule(true, "a", null, null, null), rule(false, "c", 240L, 0L, "w"), rule(false, "b", 7L, null, "m")));
        assertThat(probe(true)).contains("granted-read: No such device or address", "granted-write: Operation not permitted",
                "other-read: No such device or address", "null-write: ok", "mknod-char: ok", "mknod-block: Operation not permitted");
    }

    @Test
    void freezesThawsReportsEventsAndRemovalFreesTheProgram() throws Exception {
        cgroup.create(devices(rule(false, "a", null, null, "rwm")));
        Process sleeper = new ProcessBuilder("/bin/busybox", "sh", "-c", "echo $$ > " + dir() + "/cgroup.procs && exec /bin/busybox sleep 1000").start();
        started.add(sleeper);
        for (int i = 0; i < 500 && !cgroup.pids().contains((int) sleeper.pid()); i++) Thread.sleep(10);
        assertThat(cgroup.pids()).containsExactly((int) sleeper.pid());
        assertThat(Files.readString(dir().resolve("cgroup.events"))).contains("populated 1");

        cgroup.freeze();
        assertThat(cgroup.frozen()).isTrue();
        assertThat(Files.readString(dir().resolve("cgroup.events"))).contains("frozen 1");
        cgroup.thaw();
        assertThat(cgroup.frozen()).isFalse();
        assertThat(Files.readString(dir().resolve("cgroup.events"))).contains("frozen 0");
        assertThat(cgroup.stats().cpuTotal()).isPositive();

        List<Integer> ids = programs();
        assertThat(ids).hasSize(1);
        sleeper.destroyForcibly();
        sleeper.waitFor(10, TimeUnit.SECONDS);
        for (int i = 0; i < 500 && !Files.readString(dir().resolve("cgroup.events")).contains("populated 0"); i++) Thread.sleep(10);
        cgroup.destroy();
        assertThat(dir()).doesNotExist();
        for (int i = 0; i < 200 && programExists(ids.getFirst()); i++) Thread.sleep(10);
        assertThatThrownBy(() -> SYS.bpfProgram(ids.getFirst())).as("detached and freed")
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    private static boolean programExists(int id) {
        try {
            SYS.close(SYS.bpfProgram(id));
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }
}
