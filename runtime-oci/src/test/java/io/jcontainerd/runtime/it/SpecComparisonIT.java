package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rows of the conformance table in runtime-oci/README.md (config.md, config-linux.md): one bundle under
 * Debian's runc 1.1.5, then under jrunc. Each test first asserts what runc does with the field (so that a
 * test where both fail, or both ignore the field, cannot pass by accident), then that jrunc does the same,
 * or, where jrunc deliberately differs, what jrunc does instead.
 */
class SpecComparisonIT {
    TwoRuntimes runtimes;
    BusyboxBundle bundle;
    String tag;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        bundle = runtimes.bundle;
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    private Jrunc.Result run(Jrunc rt, String suffix, String script) throws Exception {
        bundle.args("sh", "-c", script);
        return rt.run("run", "--bundle", bundle.dir.toString(), "spec-" + tag + "-" + suffix);
    }

    /** runc's result, asserted to have exited 0 with the expected stdout, then jrunc's, asserted identical. */
    private void bothPrint(String script, String expected) throws Exception {
        Jrunc.Result r = run(runtimes.runc, "r", script);
        assertThat(r.code()).as("runc exit status (stderr %s)", r.stderr()).isZero();
        assertThat(r.stdout()).as("runc's output of %s", script).isEqualTo(expected);
        Jrunc.Result j = run(runtimes.jrunc, "j", script);
        assertThat(j.stderr()).as("jrunc's stderr").isEmpty();
        assertThat(j.stdout()).as("jrunc's output of %s", script).isEqualTo(expected);
        assertThat(j.code()).isZero();
    }

    /** runc's output (exit 0 asserted) when what it prints cannot be written down here; jrunc must print the same. */
    private String same(String script) throws Exception {
        Jrunc.Result r = run(runtimes.runc, "r", script);
        assertThat(r.code()).as("runc exit status (stderr %s)", r.stderr()).isZero();
        Jrunc.Result j = run(runtimes.jrunc, "j", script);
        assertThat(j.stdout()).as("jrunc's output of %s (stderr %s)", script, j.stderr()).isEqualTo(r.stdout());
        assertThat(j.code()).isZero();
        return r.stdout();
    }

    /** Both refuse the bundle: exit status 1 and a reason on stderr; jrunc's reason contains jruncSays. */
    private void bothRefuse(String jruncSays) throws Exception {
        Jrunc.Result r = run(runtimes.runc, "r", "echo ran");
        assertThat(r.code()).as("runc refuses it (stdout %s)", r.stdout()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isNotBlank();
        Jrunc.Result j = run(runtimes.jrunc, "j", "echo ran");
        assertThat(j.code()).isEqualTo(1);
        assertThat(j.stdout()).isEmpty();
        assertThat(j.stderr()).contains(jruncSays);
    }

    private ObjectNode caps() {
        ObjectNode c = bundle.process().putObject("capabilities");
        c.putArray("bounding").add("CAP_CHOWN").add("CAP_KILL").add("CAP_SETGID").add("CAP_SETUID").add("CAP_NET_BIND_SERVICE");
        c.putArray("effective").add("CAP_CHOWN").add("CAP_KILL");
        c.putArray("permitted").add("CAP_CHOWN").add("CAP_KILL").add("CAP_NET_BIND_SERVICE");
        c.putArray("inheritable").add("CAP_KILL").add("CAP_NET_BIND_SERVICE");
        c.putArray("ambient").add("CAP_NET_BIND_SERVICE");
        return c;
    }

    @Test
    void eachOfTheFiveCapabilitySetsReachesTheProcessAsTheKernelDerivesItAtExecve() throws Exception {
        caps();
        bundle.process().putObject("user").put("uid", 1000).put("gid", 1000);
        bundle.save();
        // uid 1000 after execve of a file without capabilities: permitted = effective = ambient (NET_BIND_SERVICE, bit 10),
        // inheritable as given (KILL 5 + NET_BIND_SERVICE), bounding as given (CHOWN 0, KILL 5, SETGID 6, SETUID 7, NET_BIND_SERVICE)
        bothPrint("grep ^Cap /proc/self/status", """
                CapInh:\t0000000000000420
                CapPrm:\t0000000000000400
                CapEff:\t0000000000000400
                CapBnd:\t00000000000004e1
                CapAmb:\t0000000000000400
                """);
        // root: the kernel grants bounding | inheritable at execve, which no_new_privs (the bundle's default) caps at
        // the permitted set (CHOWN, KILL, NET_BIND_SERVICE)
        bundle.process().putObject("user").put("uid", 0).put("gid", 0);
        bundle.save();
        bothPrint("grep ^Cap /proc/self/status", """
                CapInh:\t0000000000000420
                CapPrm:\t0000000000000421
                CapEff:\t0000000000000421
                CapBnd:\t00000000000004e1
                CapAmb:\t0000000000000400
                """);
    }

    @Test
    void rlimitsSetSoftAndHardValues() throws Exception {
        ArrayNode r = bundle.process().putArray("rlimits");
        r.addObject().put("type", "RLIMIT_NOFILE").put("soft", 512).put("hard", 1024);
        r.addObject().put("type", "RLIMIT_CORE").put("soft", 0).put("hard", 4096);
        r.addObject().put("type", "RLIMIT_NPROC").put("soft", 200).put("hard", 300);
        bundle.save();
        bothPrint("ulimit -Sn; ulimit -Hn; grep -E '^Max (core file size|processes|open files)' /proc/self/limits | tr -s ' '", """
                512
                1024
                Max core file size 0 4096 bytes\s
                Max processes 200 300 processes\s
                Max open files 512 1024 files\s
                """);
    }

    @Test
    void aRlimitTypeGivenTwiceIsAppliedInOrderByRuncAndRefusedByJrunc() throws Exception {
        ArrayNode r = bundle.process().putArray("rlimits");
        r.addObject().put("type", "RLIMIT_NOFILE").put("soft", 400).put("hard", 400);
        r.addObject().put("type", "RLIMIT_NOFILE").put("soft", 100).put("hard", 200);
        bundle.save();
        Jrunc.Result runc = run(runtimes.runc, "r", "ulimit -Sn; ulimit -Hn");
        assertThat(runc.code()).isZero();
        assertThat(runc.stdout()).as("runc 1.1.5 applies both, the last one wins").isEqualTo("100\n200\n");
        Jrunc.Result jrunc = run(runtimes.jrunc, "j", "ulimit -Sn");
        assertThat(jrunc.code()).as("config.md: duplicated rlimit types MUST be an error").isEqualTo(1);
        assertThat(jrunc.stderr()).contains("process.rlimits sets RLIMIT_NOFILE more than once");
    }

    @Test
    void aNamespaceTypeGivenTwiceIsRefusedByBoth() throws Exception {
        ((ArrayNode) bundle.linux().get("namespaces")).addObject().put("type", "pid");
        bundle.save();
        bothRefuse("linux.namespaces lists type pid more than once");
    }

    @Test
    void uidAndGidMappingsAreRefusedByJruncWhereRuncUsesThemOrIgnoresThem() throws Exception {
        ArrayNode uid = bundle.linux().putArray("uidMappings");
        uid.addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        ArrayNode gid = bundle.linux().putArray("gidMappings");
        gid.addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        bundle.save();
        // without a user namespace runc 1.1.5 ignores the mappings
        Jrunc.Result runc = run(runtimes.runc, "r", "cat /proc/self/uid_map");
        assertThat(runc.code()).isZero();
        assertThat(runc.stdout().trim().split("\\s+")).containsExactly("0", "0", "4294967295");
        Jrunc.Result jrunc = run(runtimes.jrunc, "j", "cat /proc/self/uid_map");
        assertThat(jrunc.code()).isEqualTo(1);
        assertThat(jrunc.stderr()).contains("linux.uidMappings/gidMappings are not supported by jrunc");
        // with one, runc maps root to 100000 (which must be able to reach the rootfs)
        Files.setPosixFilePermissions(bundle.dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        ((ArrayNode) bundle.linux().get("namespaces")).addObject().put("type", "user");
        bundle.save();
        runc = run(runtimes.runc, "r2", "cat /proc/self/uid_map");
        assertThat(runc.code()).as(runc.stderr()).isZero();
        assertThat(runc.stdout().trim().split("\\s+")).containsExactly("0", "100000", "65536");
        jrunc = run(runtimes.jrunc, "j2", "cat /proc/self/uid_map");
        assertThat(jrunc.code()).isEqualTo(1);
        assertThat(jrunc.stderr()).contains("linux.namespaces type user is not supported by jrunc");
    }

    @Test
    void unknownPropertiesAreIgnored() throws Exception {
        bundle.config.putObject("org.example.future").put("x", 1);
        bundle.process().put("someFutureField", true);
        bundle.linux().putArray("futureThing").add(1);
        bundle.save();
        bothPrint("echo ran", "ran\n");
    }

    @Test
    void rootfsPropagationIsAppliedBeforeTheRootfsIsBoundAndUnbindableIsRefused() throws Exception {
        // the propagation fields of / in the container, peer group numbers left out (they differ between runs)
        String script = "awk '$5 == \"/\" { o = \"\"; for (i = 7; $i != \"-\"; i++) o = o \" \" $i; print o }' /proc/self/mountinfo"
                + " | sed -e 's/:[0-9]*//g'";
        List<String> seen = new ArrayList<>();
        for (String p : List.of("private", "rprivate", "slave", "rslave", "shared", "rshared")) {
            bundle.linux().put("rootfsPropagation", p);
            bundle.save();
            seen.add(p + ":" + same(script).strip());
        }
        // runc 1.1.5 applies the value to the copy of the host's mounts before the rootfs is bound (its parent made private
        // when shared, as pivot_root requires): the container's own / is private whatever the value; jrunc failed
        // "shared" and "rshared" with pivot_root EINVAL before it made that parent private too
        assertThat(seen).containsExactly("private:", "rprivate:", "slave:", "rslave:", "shared:", "rshared:");
        bundle.linux().put("rootfsPropagation", "unbindable");
        bundle.save();
        bothRefuse("flags 0x5000");
    }

    @Test
    void aNetworkNamespaceGivenByPathIsJoined() throws Exception {
        String name = "jrunc-spec-" + tag;
        Process add = new ProcessBuilder("ip", "netns", "add", name).redirectErrorStream(true).start();
        assertThat(add.waitFor()).as(new String(add.getInputStream().readAllBytes())).isZero();
        try {
            Path ns = Path.of("/run/netns", name);
            long ino = (long) Files.getAttribute(ns, "unix:ino");
            ArrayNode namespaces = (ArrayNode) bundle.linux().get("namespaces");
            for (int i = namespaces.size() - 1; i >= 0; i--) if (namespaces.get(i).get("type").asText().equals("network")) namespaces.remove(i);
            namespaces.addObject().put("type", "network").put("path", ns.toString());
            bundle.save();
            bothPrint("readlink /proc/self/ns/net", "net:[" + ino + "]\n");
            // runtime.md: delete removes only what create made; the joined namespace stays
            assertThat((long) Files.getAttribute(ns, "unix:ino")).as("the joined namespace after both containers were deleted").isEqualTo(ino);
            Process exec = new ProcessBuilder("ip", "netns", "exec", name, "true").redirectErrorStream(true).start();
            assertThat(exec.waitFor()).isZero();
        } finally {
            new ProcessBuilder("ip", "netns", "del", name).start().waitFor();
        }
    }

    @Test
    void mountOptionsAndBindPropagationShapeTheMounts() throws Exception {
        Path shared = Files.createDirectories(bundle.dir.resolve("shared"));
        Files.writeString(shared.resolve("f"), "x");
        ArrayNode mounts = (ArrayNode) bundle.config.get("mounts");
        ObjectNode t = mounts.addObject().put("destination", "/mnt/t").put("type", "tmpfs").put("source", "tmpfs");
        t.putArray("options").add("nosuid").add("nodev").add("noexec").add("size=1m").add("mode=700");
        ObjectNode ro = mounts.addObject().put("destination", "/mnt/ro").put("type", "bind").put("source", shared.toString());
        ro.putArray("options").add("rbind").add("ro").add("rprivate");
        ObjectNode rw = mounts.addObject().put("destination", "/mnt/rw/deep").put("type", "bind").put("source", shared.toString());
        rw.putArray("options").add("bind").add("nosuid").add("rslave");
        ObjectNode file = mounts.addObject().put("destination", "/mnt/file").put("type", "bind").put("source", shared.resolve("f").toString());
        file.putArray("options").add("bind").add("ro");
        bundle.save();
        String out = same("awk '$5 ~ \"^/mnt\" { o = \"\"; for (i = 7; $i != \"-\"; i++) o = o \" \" $i; print $5, $6, o, $(i+1), $(i+3) }'"
                + " /proc/self/mountinfo | sed -e 's/:[0-9]*//g'; touch /mnt/ro/x 2>&1 | sed 's/.*: //'; cat /mnt/file; echo; stat -c %a /mnt/t");
        assertThat(out).as("runc: tmpfs options, read-only binds").contains("/mnt/t rw,nosuid,nodev,noexec", "size=1024k,mode=700",
                "/mnt/ro ro", "Read-only file system", "/mnt/file ro", "\n700\n");
    }

    @Test
    void failingPoststartAndPoststopHooksAreWarningsAndTheRemainingHooksRun() throws Exception {
        Path ran = bundle.dir.resolve("ran");
        ObjectNode hooks = bundle.config.putObject("hooks");
        ArrayNode poststart = hooks.putArray("poststart");
        poststart.addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("exit 3");
        poststart.addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("echo poststart >> " + ran);
        ArrayNode poststop = hooks.putArray("poststop");
        poststop.addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("exit 4");
        poststop.addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("echo poststop >> " + ran);
        bundle.args("sleep", "1000");
        // runc 1.1.5 runs poststart hooks in create, and a failing one fails create (it runs poststop then, up to the
        // first failure); runtime.md: poststart runs after start, a failing poststart or poststop hook is a warning
        String id = "spec-" + tag;
        Jrunc.Result runc = runtimes.runc.run("create", "--bundle", bundle.dir.toString(), id + "-r");
        assertThat(runc.code()).isEqualTo(1);
        assertThat(runc.stderr()).contains("error running hook #0: error running hook: exit status 3");
        assertThat(runtimes.runc.run("state", id + "-r").code()).isEqualTo(1);
        assertThat(ran).doesNotExist();

        Jrunc jrunc = runtimes.jrunc;
        assertThat(jrunc.run("create", "--bundle", bundle.dir.toString(), id + "-j").code()).isZero();
        assertThat(ran).as("no poststart hook before start").doesNotExist();
        Jrunc.Result start = jrunc.run("start", id + "-j");
        assertThat(start.code()).isZero();
        assertThat(start.stderr()).isEqualTo("jrunc: warning: poststart hook #0 /bin/sh exited with status 3\n");
        assertThat(Files.readString(ran)).isEqualTo("poststart\n");
        assertThat(jrunc.run("state", id + "-j").stdout()).contains("\"running\"");
        Jrunc.Result delete = jrunc.run("delete", "--force", id + "-j");
        assertThat(delete.code()).isZero();
        assertThat(delete.stderr()).isEqualTo("jrunc: warning: poststop hook #0 /bin/sh exited with status 4\n");
        assertThat(Files.readString(ran)).isEqualTo("poststart\npoststop\n");
    }

    @Test
    void personalityIsIgnoredByRuncAndRefusedByJrunc() throws Exception {
        bundle.linux().putObject("personality").put("domain", "LINUX32");
        bundle.save();
        Jrunc.Result runc = run(runtimes.runc, "r", "uname -m");
        assertThat(runc.code()).as(runc.stderr()).isZero();
        assertThat(runc.stdout()).as("runc 1.1.5 ignores linux.personality (runc 1.2 applies it)").isEqualTo("x86_64\n");
        Jrunc.Result jrunc = run(runtimes.jrunc, "j", "uname -m");
        assertThat(jrunc.code()).isEqualTo(1);
        assertThat(jrunc.stderr()).contains("config.json: linux.personality is not supported by jrunc");
    }

    @Test
    void emptyArgsAndARelativeCwdAreRefusedByBoth() throws Exception {
        for (var edit : List.<Runnable>of(() -> bundle.process().putArray("args"), () -> bundle.process().put("cwd", "tmp"))) {
            bundle.args("true");
            edit.run();
            bundle.save();
            for (Jrunc rt : List.of(runtimes.runc, runtimes.jrunc)) {
                Jrunc.Result r = rt.run("run", "--bundle", bundle.dir.toString(), "spec-" + tag + "-" + UUID.randomUUID().toString().substring(0, 4));
                assertThat(r.code()).as("%s: %s", rt.binary, r.stderr()).isEqualTo(1);
                assertThat(r.stderr()).isNotBlank();
            }
        }
    }

    @Test
    void theEnvironmentIsTheSpecsList() throws Exception {
        ArrayNode env = bundle.process().putArray("env");
        env.add("PATH=/bin").add("FOO=bar baz").add("EMPTY=");
        bundle.save();
        // runc adds HOME from the container's /etc/passwd when the spec has none (jrunc did not before)
        assertThat(same("env | sort")).as("runc").isEqualTo("EMPTY=\nFOO=bar baz\nHOME=/root\nPATH=/bin\nPWD=/\nSHLVL=1\n");
        bundle.process().putObject("user").put("uid", 65534).put("gid", 65534);
        env.add("HOME=/given");
        bundle.save();
        assertThat(same("echo $HOME")).isEqualTo("/given\n");
        env.remove(env.size() - 1);
        bundle.process().putObject("user").put("uid", 4242).put("gid", 4242);
        bundle.save();
        assertThat(same("echo $HOME")).as("a uid without a passwd entry").isEqualTo("/\n");
    }

    @Test
    void linuxDevicesAreMadeWithTheirTypeModeAndOwner() throws Exception {
        ArrayNode devices = bundle.linux().putArray("devices");
        devices.addObject().put("path", "/dev/mine").put("type", "c").put("major", 1).put("minor", 7).put("fileMode", 0600).put("uid", 1000).put("gid", 1001);
        devices.addObject().put("path", "/dev/sub/blk").put("type", "b").put("major", 7).put("minor", 200).put("fileMode", 0640);
        devices.addObject().put("path", "/dev/fifo").put("type", "p").put("fileMode", 0620);
        bundle.save();
        String out = same("stat -c '%A %u %g %t %T %n' /dev/mine /dev/sub/blk /dev/fifo");
        assertThat(out).as("runc (major and minor in hex)").isEqualTo("""
                crw------- 1000 1001 1 7 /dev/mine
                brw-r----- 0 0 7 c8 /dev/sub/blk
                prw--w---- 0 0 0 0 /dev/fifo
                """);
    }

    @Test
    void cpuResourcesAreWrittenAtCreate() throws Exception {
        ObjectNode cpu = ((ObjectNode) bundle.linux().get("resources")).putObject("cpu");
        cpu.put("shares", 512).put("quota", 50000).put("period", 100000).put("cpus", "0");
        bundle.save();
        String out = same("cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us"
                + " /sys/fs/cgroup/cpuset/cpuset.cpus");
        assertThat(out).as("runc").isEqualTo("512\n50000\n100000\n0\n");
    }

    @Test
    void anUnknownCapabilityIsAWarningAndLeftOut() throws Exception {
        ((ArrayNode) bundle.process().get("capabilities").get("bounding")).add("CAP_FOO");
        bundle.save();
        Jrunc.Result runc = run(runtimes.runc, "r", "grep ^CapBnd /proc/self/status");
        assertThat(runc.code()).isZero();
        assertThat(runc.stderr()).contains("ignoring unknown or unavailable capabilities: [CAP_FOO]");
        Jrunc.Result jrunc = run(runtimes.jrunc, "j", "grep ^CapBnd /proc/self/status");
        assertThat(jrunc.code()).as(jrunc.stderr()).isZero();
        assertThat(jrunc.stderr()).isEqualTo("jrunc: warning: ignoring unknown or unavailable capabilities: [CAP_FOO]\n");
        assertThat(jrunc.stdout()).isEqualTo(runc.stdout());
    }
}
