package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The same busybox bundle under Debian's runc and under jrunc: the container must see the same things. */
class RuncComparisonIT {
    TwoRuntimes runtimes;
    Jrunc jrunc, runc;
    BusyboxBundle bundle;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        jrunc = runtimes.jrunc;
        runc = runtimes.runc;
        bundle = runtimes.bundle;
        ((com.fasterxml.jackson.databind.node.ObjectNode) bundle.linux().get("resources")).putArray("devices").addObject()
                .put("allow", false).put("access", "rwm");
        bundle.save();
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    private Jrunc.Result[] both(String script, String... runOptions) throws Exception {
        bundle.args("sh", "-c", script);
        String id = "cmp-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.List<String> a1 = new java.util.ArrayList<>(java.util.List.of("run", "--bundle", bundle.dir.toString()));
        a1.addAll(java.util.List.of(runOptions));
        java.util.List<String> b1 = new java.util.ArrayList<>(a1);
        a1.add(id + "-r");
        b1.add(id + "-j");
        Jrunc.Result a = runc.run(a1.toArray(String[]::new));
        Jrunc.Result b = jrunc.run(b1.toArray(String[]::new));
        return new Jrunc.Result[] {a, new Jrunc.Result(b.code(), b.stdout().replace(id + "-j", id + "-r"), b.stderr())};
    }

    /** Runs the script under both; returns runc's result once jrunc's matched it. */
    private Jrunc.Result same(String script, String... runOptions) throws Exception {
        Jrunc.Result[] r = both(script, runOptions);
        assertThat(r[1].stdout()).as("stdout of %s", script).isEqualTo(r[0].stdout());
        assertThat(r[1].stderr()).as("stderr of %s", script).isEqualTo(r[0].stderr());
        assertThat(r[1].code()).as("exit code of %s", script).isEqualTo(r[0].code());
        return r[0];
    }

    @Test
    void identityHostnameAndPid() throws Exception {
        assertThat(same("id; hostname; echo $$").stdout()).as("runc").isEqualTo("uid=0(root) gid=0(root)\njrunc-it\n1\n");
    }

    @Test
    void capabilitiesNoNewPrivsAndSeccompStatus() throws Exception {
        assertThat(same("grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status").stdout()).as("runc")
                .contains("CapPrm:\t0000000020000420", "CapEff:\t0000000020000420", "CapBnd:\t0000000020000420", "CapAmb:\t0000000000000000",
                        "NoNewPrivs:\t1", "Seccomp:\t0");
    }

    @Test
    void resourceLimits() throws Exception {
        assertThat(same("cat /proc/self/limits").stdout()).as("runc").containsPattern("Max open files +1024 +1024 +files");
    }

    @Test
    void devices() throws Exception {
        same("ls -l /dev | awk '{print $1, $5, $6, $NF}'; ls /dev/pts; head -c 4 /dev/zero | od -An -tx1; echo x > /dev/null && echo null-ok");
    }

    @Test
    void mountTableShape() throws Exception {
        // mount point, per-mount options and filesystem type; sources and ids differ legitimately
        same("awk '{ for (i = 7; $i != \"-\"; i++); print $5, $6, $(i+1) }' /proc/self/mountinfo");
    }

    @Test
    void cgroupFilesAndLimits() throws Exception {
        // runc puts a container without cgroupsPath under its own cgroup in each hierarchy; compare the leaf names
        same("cat /proc/self/cgroup | sed -e 's/^[0-9]*://' -e 's#:/.*/#:/#' | sort; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup | sort");
    }

    @Test
    void seccompProfileWithErrnoAndArgumentRules() throws Exception {
        var seccomp = bundle.linux().putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.putArray("architectures").add("SCMP_ARCH_X86_64");
        var rules = seccomp.putArray("syscalls");
        var mkdir = rules.addObject();
        mkdir.putArray("names").add("mkdir").add("mkdirat");
        mkdir.put("action", "SCMP_ACT_ERRNO").put("errnoRet", 13);
        var kill = rules.addObject();
        kill.putArray("names").add("kill");
        kill.put("action", "SCMP_ACT_ERRNO");
        kill.putArray("args").addObject().put("index", 1).put("value", 10).put("op", "SCMP_CMP_EQ");
        bundle.save();
        same("mkdir /x; echo mkdir=$?; kill -USR1 $$; echo usr1=$?; kill -0 $$; echo zero=$?; grep -E '^(Seccomp|NoNewPrivs)' /proc/self/status");
        bundle.process().put("noNewPrivileges", false);
        bundle.save();
        same("mkdir /y; echo mkdir=$?; grep -E '^(Seccomp|NoNewPrivs)' /proc/self/status");
    }

    @Test
    void userUmaskCwdOomScoreDomainnameAndSysctl() throws Exception {
        var user = bundle.process().putObject("user");
        user.put("uid", 1000).put("gid", 1000).put("umask", 63);
        user.putArray("additionalGids").add(5).add(6);
        bundle.process().put("cwd", "/tmp").put("oomScoreAdj", 100);
        bundle.config.put("domainname", "example.org");
        bundle.linux().putObject("sysctl").put("kernel.msgmax", "4096");
        bundle.save();
        assertThat(same("id; umask; pwd; cat /proc/self/oom_score_adj; cat /proc/sys/kernel/msgmax; grep -E '^(Cap|Groups)' /proc/self/status")
                .stdout()).as("runc").startsWith("uid=1000 gid=1000 groups=5,6\n0077\n/tmp\n100\n4096\nGroups:\t5 6 \n");
        // domainname: runc 1.1.5 leaves the new uts namespace's "(none)"; jrunc sets it as the spec says
        Jrunc.Result[] d = both("cat /proc/sys/kernel/domainname");
        assertThat(d[0].stdout()).as("runc 1.1.5").isEqualTo("(none)\n");
        assertThat(d[1].stdout()).as("jrunc").isEqualTo("example.org\n");
    }

    @Test
    void readonlyRootAndNoPivot() throws Exception {
        ((com.fasterxml.jackson.databind.node.ObjectNode) bundle.config.get("root")).put("readonly", true);
        bundle.save();
        assertThat(same("touch /x 2>&1; echo rc=$?; touch /tmp/x 2>&1; echo rc=$?; grep ' / / ' /proc/self/mountinfo | awk '{print $6}'").stdout())
                .as("runc").isEqualTo("touch: /x: Read-only file system\nrc=1\ntouch: /tmp/x: Read-only file system\nrc=1\n");
        same("ls /; cat /proc/self/mountinfo | wc -l", "--no-pivot");
    }

    @Test
    void onlyStdioIsOpen() throws Exception {
        same("ls /proc/self/fd | wc -l; readlink /proc/1/root");
    }

    @Test
    void exitCodesAndStderr() throws Exception {
        same("echo out; echo err >&2; exit 7");
        same("cat /does/not/exist");
    }

    @Test
    void maskedAndReadonlyPaths() throws Exception {
        // /proc/keys (a file: the null device bound over it), /sys/firmware (a directory: an empty tmpfs), /proc/sys, /proc/bus,
        // /proc/fs and /proc/irq bound read-only (this kernel has neither /proc/kcore nor /proc/sysrq-trigger)
        assertThat(same("cat /proc/keys | wc -c; ls /sys/firmware | wc -l; (echo 1 > /proc/sys/kernel/domainname) 2>&1 | sed 's/.*: //';"
                + " awk '$5 ~ \"^/proc/(sys|bus|fs|irq)$\" { print $5, substr($6, 1, 3) }' /proc/self/mountinfo | sort").stdout()).as("runc")
                .isEqualTo("0\n0\nRead-only file system\n/proc/bus ro,\n/proc/fs ro,\n/proc/irq ro,\n/proc/sys ro,\n");
    }

    @Test
    void createContainerAndStartContainerHooksSeeWhatRuncsHooksSee() throws Exception {
        // createContainer: a host path, in the container's namespaces with its mounts, before pivot_root, cwd at the
        // rootfs; startContainer: a path inside the container, as its user, after `start`. Both get the state on stdin.
        java.nio.file.Files.setPosixFilePermissions(bundle.rootfs().resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        var hooks = bundle.config.putObject("hooks");
        var cc = hooks.putArray("createContainer").addObject().put("path", "/bin/sh");
        cc.putArray("args").add("sh").add("-c").add("exec > tmp/cc.txt 2>&1; cat; echo; pwd; id; hostname;"
                + " [ \"$(readlink /proc/self/ns/mnt)\" = \"$HOST_MNT\" ] && echo host-mnt || echo container-mnt;"
                + " [ \"$(readlink /proc/self/ns/pid)\" = \"$HOST_PID\" ] && echo host-pid || echo container-pid;"
                + " test -e proc/self/status && echo container-proc-mounted; test -c dev/null && echo dev-null-made;"
                + " grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status");
        // this test's own namespaces are the host's (PID 1's ns links are not readable on this machine)
        cc.putArray("env").add("HOST_MNT=" + java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/mnt")))
                .add("HOST_PID=" + java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")));
        var sc = hooks.putArray("startContainer").addObject().put("path", "/bin/sh");
        sc.putArray("args").add("sh").add("-c").add("exec > /tmp/sc.txt 2>&1; cat; echo; pwd; id; hostname; ls /;"
                + " grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status");
        sc.putArray("env").add("HOOK=1");
        bundle.process().putObject("user").put("uid", 1000).put("gid", 1000);
        bundle.save();
        assertThat(same("cat /tmp/cc.txt /tmp/sc.txt").stdout()).contains("\"status\":\"creating\",\"pid\":1,",
                bundle.rootfs().toString(), "container-mnt", "container-pid", "container-proc-mounted", "dev-null-made",
                "\"status\":\"created\",\"pid\":1,", "uid=1000 gid=1000", "NoNewPrivs:\t1");
    }
}
