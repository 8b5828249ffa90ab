package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.RecordingSyscalls;
import io.jcontainerd.runtime.spec.Hooks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jcontainerd.runtime.spec.MountOptions.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InitStageTest {
    static final class Channel implements SyncChannel {
        final List<String> sent = new ArrayList<>();
        /** Where each receive is recorded among the syscalls, when set. */
        RecordingSyscalls receivesIn;
        String answer = "resume";
        @Override public void send(String line) { sent.add(line); }
        @Override public String receive() {
            if (receivesIn != null) receivesIn.calls.add("receive");
            return answer;
        }
        @Override public void close() { sent.add("<closed>"); }
    }

    /** The fds the runtime sends with the plan, numbered from 100 in their order (mount ns, cgroup ns, console, cgroup files). */
    static PlanFds fds(InitPlan p) {
        int[] fds = new int[PlanFds.count(p)];
        for (int i = 0; i < fds.length; i++) fds[i] = 100 + i;
        return PlanFds.of(p, fds);
    }

    static InitStage stage(RecordingSyscalls sys, SyncChannel ch, InitPlan p) { return new InitStage(sys, ch, p, fds(p)); }

    static InitPlan plan(InitPlan.Rootfs rootfs, long uid, InitPlan.CapSets caps, boolean nnp, byte[] seccomp) {
        return new InitPlan(false, List.of("/sys/fs/cgroup/memory/c1/cgroup.procs"), false, null, null, rootfs, "box", null,
                Map.of("net.ipv4.ip_forward", "1"), List.of(new InitPlan.Limit(7, 1024, 1024)), null, uid, uid, List.of(),
                null, caps, nnp, seccomp, List.of("sh", "-c", "true"), List.of("PATH=/bin"), "/", "/run/jrunc/c1/exec.fifo",
                false, null, false, 0, null);
    }

    static InitPlan plan(InitPlan.ContainerHooks hooks, boolean nnp, byte[] seccomp) {
        return new InitPlan(false, List.of(), false, null, null, rootfs(List.of()), null, null, Map.of(), List.of(), null,
                0, 0, List.of(), null, null, nnp, seccomp, List.of("sh"), List.of(), "/", "/run/jrunc/c1/exec.fifo",
                false, null, false, 0, hooks);
    }

    static InitPlan.ContainerHooks hooks(List<Hooks.Hook> createContainer, List<Hooks.Hook> startContainer) {
        return new InitPlan.ContainerHooks("1.0.2-dev", "c1", "/b", Map.of(), createContainer, startContainer);
    }

    static final Hooks.Hook CC = new Hooks.Hook("/hooks/cc", List.of("cc", "-v"), List.of(), 5);
    static final Hooks.Hook SC = new Hooks.Hook("/hooks/sc", List.of(), List.of(), null);

    static InitPlan.Rootfs rootfs(List<InitPlan.MountStep> mounts) {
        return new InitPlan.Rootfs("/b/rootfs", 0, true, false, mounts, true,
                List.of(new InitPlan.DeviceNode("/dev/null", LinuxConstants.S_IFCHR, 1, 3, 0666, 0, 0)),
                List.of("/proc/kcore"), List.of("/proc/sys"));
    }

    static RecordingSyscalls fs() {
        return new RecordingSyscalls().dir("/b/rootfs").dir("/b/rootfs/bin").file("/bin/sh").dir("/proc").dir("/dev").dir("/sys").file("/proc/kcore").dir("/proc/sys")
                .charDevice("/dev/null", 1, 3);
    }

    @Test
    void mountsTheListBeforePivotRootAndDropsPrivilegesAfterIt() {
        RecordingSyscalls sys = fs();
        var proc = new InitPlan.MountStep(InitPlan.MountStep.Kind.FS, "proc", "/proc", "proc", 0, 0, 0, null);
        var dev = new InitPlan.MountStep(InitPlan.MountStep.Kind.FS, "tmpfs", "/dev", "tmpfs", MS_NOSUID, 0, 0, "mode=755");
        stage(sys, new Channel(), plan(rootfs(List.of(proc, dev)), 1000,
                new InitPlan.CapSets(1L << 5, 1L << 5, 0, 1L << 5, 0), true, new byte[16])).run();

        List<String> c = sys.calls;
        assertThat(sys.indexOf("write fd 101 0")).as("the cgroup file").isLessThan(sys.indexOf("setns fd 100 0x20000"));
        assertThat(sys.indexOf("unshare 0x" + Integer.toHexString(LinuxConstants.CLONE_FS))).isLessThan(sys.indexOf("setns fd 100 0x20000"));
        assertThat(sys.indexOf("setns fd 100 0x20000")).as("leaves the jail before anything else").isLessThan(sys.indexOf("open /run/jrunc/c1/exec.fifo"));
        assertThat(sys.indexOf("setns fd 100 0x20000")).isLessThan(sys.indexOf("mount /b/rootfs /b/rootfs"));
        assertThat(sys.indexOf("mount /b/rootfs /b/rootfs")).isLessThan(sys.indexOf("mount proc /b/rootfs/proc proc"));
        assertThat(sys.indexOf("mount proc /b/rootfs/proc proc")).isLessThan(sys.indexOf("mount tmpfs /b/rootfs/dev tmpfs"));
        assertThat(sys.indexOf("mount tmpfs /b/rootfs/dev tmpfs")).isLessThan(sys.indexOf("mknod /b/rootfs/dev/null"));
        assertThat(sys.indexOf("mknod /b/rootfs/dev/null")).isLessThan(sys.indexOf("pivot_root"));
        assertThat(sys.indexOf("pivot_root")).isLessThan(sys.indexOf("umount2 ."));
        assertThat(sys.indexOf("umount2 .")).isLessThan(sys.indexOf("mount /proc/sys /proc/sys"));
        assertThat(sys.indexOf("mount /proc/sys /proc/sys")).as("read-only paths before masks, as runc").isLessThan(sys.indexOf("mount /dev/null /proc/kcore"));
        assertThat(sys.indexOf("mount /proc/sys /proc/sys")).isGreaterThan(sys.indexOf("pivot_root"));
        assertThat(sys.indexOf("mount  /  0x1021")).as("read-only root after the masked paths").isGreaterThan(sys.indexOf("mount /proc/sys /proc/sys"));
        assertThat(sys.indexOf("sethostname box")).isGreaterThan(sys.indexOf("pivot_root"));
        assertThat(sys.indexOf("write /proc/sys/net/ipv4/ip_forward 1")).as("sysctl before /proc/sys is read-only").isLessThan(sys.indexOf("mount /proc/sys /proc/sys"));
        assertThat(sys.indexOf("prctl " + LinuxConstants.PR_CAPBSET_DROP)).isLessThan(sys.indexOf("setresuid 1000"));
        assertThat(sys.indexOf("setresgid 1000")).isLessThan(sys.indexOf("setresuid 1000"));
        assertThat(sys.indexOf("setresuid 1000")).isLessThan(sys.indexOf("capset 0x20 0x20 0x0"));
        assertThat(sys.indexOf("capset")).isLessThan(sys.indexOf("open /proc/self/fd/"));
        assertThat(sys.indexOf("open /proc/self/fd/")).as("waits on exec.fifo after setup").isLessThan(sys.indexOf("prctl " + LinuxConstants.PR_SET_NO_NEW_PRIVS));
        int told = c.indexOf(c.stream().filter(s -> s.startsWith("write fd ") && !s.startsWith("write fd 101 ")).findFirst().orElseThrow());
        assertThat(told).as("tells start it will exec").isLessThan(sys.indexOf("close_range"));
        assertThat(sys.indexOf("prctl " + LinuxConstants.PR_SET_NO_NEW_PRIVS)).isLessThan(sys.indexOf("seccomp"));
        assertThat(sys.indexOf("close_range 3")).isLessThan(sys.indexOf("execve"));
        assertThat(c.getLast()).isEqualTo("execve /bin/sh [sh, -c, true]");
        assertThat(sys.fdPaths).as("every path opened for a mount is closed again").isEmpty();
    }

    @Test
    void mountsOntoTheFdOfTheDestinationOpenedInsideTheRootfs() {
        RecordingSyscalls sys = fs();
        var tmp = new InitPlan.MountStep(InitPlan.MountStep.Kind.FS, "tmpfs", "/a/b", "tmpfs", 0, 0, 0, null);
        stage(sys, new Channel(), plan(rootfs(List.of(tmp)), 0, null, false, new byte[0])).run();
        assertThat(sys.calls).containsSubsequence("mkdir /b/rootfs/a", "mkdir /b/rootfs/a/b", "mount tmpfs /b/rootfs/a/b tmpfs 0x0",
                "mknod /b/rootfs/dev/null 259", "chmod /b/rootfs/dev/null 666", "mount /proc/sys /proc/sys  0x5000",
                "mount /dev/null /proc/kcore  0x1000");
        // all but the propagation of /, the rootfs's own bind, the old root made a slave and the read-only root go through /proc/thread-self/fd
        assertThat(sys.mountTargets).filteredOn(t -> !t.startsWith("/proc/thread-self/fd/")).containsExactly("/", "/b/rootfs", ".", "/");
        assertThat(sys.fdPaths).isEmpty();
    }

    @Test
    void withoutOpenat2TheDestinationsAreSecureJoinsPaths() {
        RecordingSyscalls sys = fs().link("/b/rootfs/escape", "/../../../etc");
        sys.noOpenat2 = true;
        var tmp = new InitPlan.MountStep(InitPlan.MountStep.Kind.FS, "tmpfs", "/escape/x", "tmpfs", 0, 0, 0, null);
        stage(sys, new Channel(), plan(rootfs(List.of(tmp)), 0, null, false, new byte[0])).run();
        assertThat(sys.calls).contains("mkdirs /b/rootfs/etc/x", "mount tmpfs /b/rootfs/etc/x tmpfs 0x0", "mount /dev/null /proc/kcore  0x1000");
        assertThat(sys.mountTargets).noneMatch(t -> t.startsWith("/proc/thread-self/fd/"));
    }

    @Test
    void masksFilesOnlyWithAVerifiedNullDeviceAndDirectoriesWithAReadOnlyTmpfs() {
        RecordingSyscalls sys = fs().dir("/sys/firmware");
        var root = new InitPlan.Rootfs("/b/rootfs", 0, false, false, List.of(), false, List.of(),
                List.of("/proc/kcore", "/sys/firmware", "/proc/missing"), List.of());
        stage(sys, new Channel(), plan(root, 0, null, false, new byte[0])).run();
        assertThat(sys.calls).contains("mount /dev/null /proc/kcore  0x1000", "mount tmpfs /sys/firmware tmpfs 0x1")
                .noneMatch(c -> c.contains("/proc/missing"));
    }

    @Test
    void refusesToMaskWithADevNullThatIsNotTheNullDevice() {
        for (RecordingSyscalls sys : List.of(fs().file("/dev/null"), fs().charDevice("/dev/null", 1, 5))) {
            Channel ch = new Channel();
            assertThatThrownBy(() -> stage(sys, ch, plan(rootfs(List.of()), 0, null, false, new byte[0])).run())
                    .hasMessageStartingWith("maskedPaths: /dev/null in the container is ")
                    .hasMessageContaining("not the null device (character device 1:3); refusing to mask /proc/kcore with it");
            assertThat(sys.calls).noneMatch(c -> c.startsWith("mount /dev/null")).noneMatch(c -> c.startsWith("execve"));
            assertThat(ch.sent.get(1)).startsWith("error maskedPaths: /dev/null in the container is ");
        }
    }

    @Test
    void reportsReadyBeforeWaitingForStart() {
        RecordingSyscalls sys = fs();
        Channel ch = new Channel();
        stage(sys, ch, plan(rootfs(List.of()), 0, null, false, new byte[0])).run();
        assertThat(ch.sent).containsExactly("cgroups", "ready", "<closed>");
        assertThat(sys.calls).noneMatch(s -> s.startsWith("capset")).noneMatch(s -> s.startsWith("seccomp"));
    }

    @Test
    void aCreateReportsItsCgroupJoinsAndWaitsForNothingWithoutACgroupNamespace() {
        RecordingSyscalls sys = fs();
        Channel ch = new Channel();
        ch.receivesIn = sys;
        stage(sys, ch, plan(rootfs(List.of()), 0, null, false, new byte[0])).run();
        assertThat(ch.sent.getFirst()).isEqualTo("cgroups");
        assertThat(sys.calls).doesNotContain("receive");
    }

    @Test
    void aCreateEntersANewCgroupNamespaceOnlyOnceTheRuntimeHasMovedItsWholeProcess() {
        RecordingSyscalls sys = fs();
        Channel ch = new Channel();
        ch.receivesIn = sys;
        stage(sys, ch, newCgroupNs(plan(rootfs(List.of()), 0, null, false, new byte[0]))).run();
        assertThat(ch.sent).containsExactly("cgroups", "ready", "<closed>");
        // fds: 100 the setup mount namespace, 101 the cgroup file
        assertThat(sys.indexOf("write fd 101 0")).isLessThan(sys.indexOf("receive"));
        assertThat(sys.indexOf("receive")).isLessThan(sys.indexOf("unshare 0x" + Integer.toHexString(LinuxConstants.CLONE_NEWCGROUP)));
    }

    @Test
    void aFailedMoveIntoItsCgroupsEndsTheInitBeforeItsNamespaceOrMounts() {
        RecordingSyscalls sys = fs();
        Channel ch = new Channel();
        ch.answer = "abort cannot write 42 to /sys/fs/cgroup/unified/c1/cgroup.procs: No space left on device";
        assertThatThrownBy(() -> stage(sys, ch, newCgroupNs(plan(rootfs(List.of()), 0, null, false, new byte[0]))).run())
                .hasMessageContaining("moving the init into its cgroups failed: abort cannot write 42 to /sys/fs/cgroup/unified/c1/cgroup.procs");
        assertThat(ch.sent.get(1)).startsWith("error moving the init into its cgroups failed");
        assertThat(sys.calls).noneMatch(c -> c.startsWith("unshare")).noneMatch(c -> c.startsWith("mount")).noneMatch(c -> c.startsWith("execve"));
    }

    static InitPlan newCgroupNs(InitPlan p) {
        return new InitPlan(p.exec(), p.cgroupJoin(), true, p.joinCgroupNs(), p.joinMountNs(), p.rootfs(), p.hostname(),
                p.domainname(), p.sysctl(), p.rlimits(), p.oomScoreAdj(), p.uid(), p.gid(), p.additionalGids(), p.umask(), p.caps(),
                p.noNewPrivileges(), p.seccomp(), p.args(), p.env(), p.cwd(), p.execFifo(), p.terminal(), p.consoleSocket(),
                p.syncHooks(), p.preserveFds(), p.hooks(), null);
    }

    @Test
    void resolvesMountDestinationsThroughSymlinksInsideTheRootfs() {
        RecordingSyscalls sys = fs().link("/b/rootfs/escape", "/../../../etc");
        var bind = new InitPlan.MountStep(InitPlan.MountStep.Kind.FS, "tmpfs", "/escape/x", "tmpfs", 0, 0, 0, null);
        stage(sys, new Channel(), plan(rootfs(List.of(bind)), 0, null, false, new byte[0])).run();
        assertThat(sys.calls).contains("mount tmpfs /b/rootfs/etc/x tmpfs 0x0").noneMatch(s -> s.startsWith("mount tmpfs /etc"));
    }

    @Test
    void reportsAMissingProgramAsAnErrorBeforeReady() {
        RecordingSyscalls sys = new RecordingSyscalls().dir("/b/rootfs");
        Channel ch = new Channel();
        assertThatThrownBy(() -> stage(sys, ch, plan(rootfs(List.of()), 0, null, false, new byte[0])).run())
                .isInstanceOf(JruncException.class);
        assertThat(ch.sent.get(1)).startsWith("error exec: \"sh\": executable file not found in $PATH");
        assertThat(sys.calls).noneMatch(s -> s.startsWith("execve"));
    }

    @Test
    void execJoinsTheMountNamespaceOnItsOwnThreadAndNeverPivots() {
        RecordingSyscalls sys = new RecordingSyscalls().file("/bin/sh");
        InitPlan p = new InitPlan(true, List.of("/cg/cgroup.procs"), false, "/proc/42/ns/cgroup", "/proc/42/ns/mnt", null,
                null, null, Map.of(), List.of(), null, 0, 0, List.of(), null, null, false, new byte[0],
                List.of("sh"), List.of(), "/", null, false, null, false, 0, null);
        stage(sys, new Channel(), p).run();
        // fds: 100 the container's mount namespace, 101 its cgroup namespace, 102 its cgroup file
        assertThat(sys.indexOf("write fd 102 0")).isLessThan(sys.indexOf("setns fd 101 0x2000000"));
        assertThat(sys.indexOf("setns fd 101 0x2000000")).isLessThan(sys.indexOf("setns fd 100 0x20000"));
        assertThat(sys.indexOf("unshare 0x" + Integer.toHexString(LinuxConstants.CLONE_FS))).isLessThan(sys.indexOf("setns fd 100 0x20000"));
        assertThat(sys.calls).noneMatch(s -> s.startsWith("setns /")).noneMatch(s -> s.startsWith("write /cg"));
        assertThat(sys.calls).noneMatch(s -> s.startsWith("pivot_root")).noneMatch(s -> s.startsWith("mount"));
    }

    @Test
    void createContainerHooksRunInTheContainerWithItsMountsBeforePivotRoot() {
        RecordingSyscalls sys = fs();
        stage(sys, new Channel(), plan(hooks(List.of(CC), List.of()), false, new byte[0])).run();
        assertThat(sys.indexOf("mknod /b/rootfs/dev/null")).isLessThan(sys.indexOf("chdir /b/rootfs"));
        assertThat(sys.indexOf("chdir /b/rootfs")).isLessThan(sys.indexOf("spawn /hooks/cc"));
        assertThat(sys.indexOf("spawn /hooks/cc")).isLessThan(sys.indexOf("pivot_root"));
        assertThat(sys.calls).contains("spawn /hooks/cc [cc, -v] stdin "
                + "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"/b\"}");
    }

    @Test
    void startContainerHooksRunOnceStartOpensTheFifoUnderNoNewPrivsAndSeccompThenExec() {
        RecordingSyscalls sys = fs();
        stage(sys, new Channel(), plan(hooks(List.of(), List.of(SC)), true, new byte[16])).run();
        assertThat(sys.indexOf("open /proc/self/fd/")).isLessThan(sys.indexOf("prctl " + LinuxConstants.PR_SET_NO_NEW_PRIVS));
        assertThat(sys.indexOf("prctl " + LinuxConstants.PR_SET_NO_NEW_PRIVS)).isLessThan(sys.indexOf("seccomp"));
        assertThat(sys.indexOf("seccomp")).as("runc's order").isLessThan(sys.indexOf("spawn /hooks/sc [/hooks/sc]"));
        assertThat(sys.indexOf("spawn /hooks/sc")).isLessThan(sys.indexOf("write fd "));
        assertThat(sys.calls).filteredOn(c -> c.startsWith("write fd ")).singleElement().asString().endsWith(" 0");
        assertThat(sys.calls).filteredOn(c -> c.startsWith("seccomp")).hasSize(1);
        assertThat(sys.calls.getLast()).startsWith("execve");
        assertThat(sys.calls).anyMatch(c -> c.contains("\"status\":\"created\",\"pid\":1"));
    }

    @Test
    void startReturnsOnlyOnceExecveClosesTheFifoSoAnExecJoinsTheContainersMountNamespaceNotTheJail() {
        RecordingSyscalls sys = fs();
        stage(sys, new Channel(), plan(rootfs(List.of()), 0, null, false, new byte[0])).run();
        List<String> after = sys.calls.subList(sys.indexOf("open /proc/self/fd/"), sys.calls.size());
        String told = after.stream().filter(c -> c.matches("write fd \\d+ 0")).findFirst().orElseThrow();
        String fd = told.split(" ")[2];
        assertThat(after.subList(after.indexOf(told), after.size()))
                .as("the write end of exec.fifo is left to execve (O_CLOEXEC), so `jrunc start` reads EOF only after it")
                .doesNotContain("close " + fd);
        assertThat(sys.calls.getLast()).startsWith("execve");
    }

    @Test
    void aFailingStartContainerHookIsReportedThroughTheFifoAndNothingExecs() {
        RecordingSyscalls sys = fs();
        sys.childStatus = 3;
        assertThatThrownBy(() -> stage(sys, new Channel(), plan(hooks(List.of(), List.of(SC)), false, new byte[0])).run())
                .hasMessage("startContainer hook #0 /hooks/sc exited with status 3");
        assertThat(sys.calls).anyMatch(c -> c.matches("write fd \\d+ error startContainer hook #0 /hooks/sc exited with status 3"))
                .noneMatch(c -> c.startsWith("execve"));
    }

    @Test
    void aFailingCreateContainerHookIsAnErrorBeforeReadyAndNothingPivots() {
        RecordingSyscalls sys = fs();
        sys.childStatus = 137; // killed by SIGKILL
        Channel ch = new Channel();
        assertThatThrownBy(() -> stage(sys, ch, plan(hooks(List.of(CC), List.of()), false, new byte[0])).run())
                .isInstanceOf(JruncException.class);
        assertThat(ch.sent.getFirst()).isEqualTo("error createContainer hook #0 /hooks/cc exited with status 137");
        assertThat(sys.calls).noneMatch(c -> c.startsWith("pivot_root")).noneMatch(c -> c.startsWith("execve"));
    }

    @Test
    void withoutNoNewPrivsTheFdsAreMarkedBeforeTheFilterSoAProfileDenyingCloseRangeStillExecs() {
        RecordingSyscalls sys = fs().deniedByFilter("close_range");
        stage(sys, new Channel(), plan(rootfs(List.of()), 1000, null, false, new byte[8])).run();
        assertThat(sys.indexOf("close_range 3")).as("marked before the filter").isLessThan(sys.indexOf("seccomp"));
        assertThat(sys.indexOf("seccomp")).isLessThan(sys.indexOf("setresuid"));
        assertThat(sys.indexOf("cloexec_listed 3")).as("fcntl over /proc/self/fd when close_range is denied").isGreaterThan(sys.indexOf("close_range denied"));
        assertThat(sys.calls.getLast()).startsWith("execve /bin/sh");
    }

    @Test
    void withNoNewPrivsTheFilterIsTheLastStepBeforeExecve() {
        RecordingSyscalls sys = fs().deniedByFilter("close_range", "cloexec_listed");
        stage(sys, new Channel(), plan(rootfs(List.of()), 1000, null, true, new byte[8])).run();
        assertThat(sys.calls.subList(sys.calls.size() - 2, sys.calls.size())).first().asString().startsWith("seccomp");
        assertThat(sys.calls).noneMatch(c -> c.endsWith("denied"));
    }

    @Test
    void anAppArmorProfileIsSetForTheExecOnTheExecThreadBeforeTheEarlyFilter() {
        RecordingSyscalls sys = fs();
        InitPlan p = plan(rootfs(List.of()), 1000, null, false, new byte[8]);
        p = new InitPlan(p.exec(), p.cgroupJoin(), p.newCgroupNs(), p.joinCgroupNs(), p.joinMountNs(), p.rootfs(), p.hostname(),
                p.domainname(), p.sysctl(), p.rlimits(), p.oomScoreAdj(), p.uid(), p.gid(), p.additionalGids(), p.umask(), p.caps(),
                p.noNewPrivileges(), p.seccomp(), p.args(), p.env(), p.cwd(), p.execFifo(), p.terminal(), p.consoleSocket(),
                p.syncHooks(), p.preserveFds(), p.hooks(), new InitPlan.Lsm("docker-default", null));
        stage(sys, new Channel(), p).run();
        int attr = sys.indexOf("write /proc/thread-self/attr/exec exec docker-default");
        assertThat(attr).as("written").isPositive().isLessThan(sys.indexOf("seccomp"));
    }

    static InitPlan terminal(InitPlan.ConsoleSize size) {
        InitPlan p = plan(rootfs(List.of()), 0, null, false, new byte[0]);
        return new InitPlan(p.exec(), p.cgroupJoin(), p.newCgroupNs(), p.joinCgroupNs(), p.joinMountNs(), p.rootfs(), p.hostname(),
                p.domainname(), p.sysctl(), p.rlimits(), p.oomScoreAdj(), p.uid(), p.gid(), p.additionalGids(), p.umask(), p.caps(),
                p.noNewPrivileges(), p.seccomp(), p.args(), p.env(), p.cwd(), p.execFifo(), true, "/run/console.sock",
                p.syncHooks(), p.preserveFds(), p.hooks(), null, size);
    }

    @Test
    void theConsoleSizeIsSetOnTheNewPtyBeforeItsMasterIsSentAsRuncDoes() {
        RecordingSyscalls sys = fs().file("/bin/sh");
        stage(sys, new Channel(), terminal(new InitPlan.ConsoleSize(30, 100))).run();
        // openpty gives the recording's next two fds: the master first
        String master = sys.calls.stream().filter(c -> c.startsWith("sendfd ")).findFirst().orElseThrow().substring("sendfd ".length());
        assertThat(sys.calls).contains("winsize " + master + " 30x100");
        assertThat(sys.indexOf("openpty")).isLessThan(sys.indexOf("winsize " + master + " 30x100"));
        assertThat(sys.indexOf("winsize " + master + " 30x100")).isLessThan(sys.indexOf("sendfd " + master));
    }

    @Test
    void withoutAConsoleSizeThePtyKeepsTheKernelsSize() {
        RecordingSyscalls sys = fs().file("/bin/sh");
        stage(sys, new Channel(), terminal(null)).run();
        assertThat(sys.calls).contains("openpty").noneMatch(c -> c.startsWith("winsize"));
    }
}
