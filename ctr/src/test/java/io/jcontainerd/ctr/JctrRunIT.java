package io.jcontainerd.ctr;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.RepoRoot;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jctr run and jctr tasks against a real daemon with busybox pulled from the loopback registry:
 * what a user sees, exit codes, and that nothing is left behind.
 */
class JctrRunIT {
    static final String IMAGE = "docker.io/library/busybox:latest";
    /** Container ids carry this run's suffix: jrunc's state dir (/run/jrunc/default) is shared by every daemon on the host. */
    static final String RUN = Long.toHexString(ProcessHandle.current().pid());
    static final String HELLO = "hello-" + RUN, THREE = "three-" + RUN, FLAGS = "flags-" + RUN, ASROOT = "asroot-" + RUN,
            WEB = "web-" + RUN, SEEN = "seen-" + RUN, AGAIN = "again-" + RUN, PRIV = "priv-" + RUN, RO = "ro-" + RUN, BOX = "box-" + RUN, TWICE = "twice-" + RUN, SHELL = "shell-" + RUN,
            CTRTTY = "ctrtty-" + RUN, SIGNALLED = "signalled-" + RUN;
    /**
     * The test's namespace, its own: run puts each container's cgroup under /&lt;namespace&gt; in every
     * hierarchy, which the runtime keeps; {@link #stopDaemon} removes it (never a shared one such as /default).
     */
    static final String NS = TestNamespaces.unique("jctr");
    static Path dir;
    static DaemonProcess daemon;

    @BeforeAll
    static void startDaemonAndPull() throws IOException {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        dir = Files.createTempDirectory("jctr-run-it");
        daemon = DaemonProcess.start(dir);
        Cli.Result pull = ctr("images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE);
        assertThat(pull.exit()).as(pull.toString()).isZero();
    }

    @AfterEach
    void removeWhatATestLeft() {
        // By id, through the API, with containerd's ctr (independent of the client under test).
        for (String id : ctr("tasks", "ls", "-q").out().lines().toList()) {
            ctr("tasks", "kill", "-s", "SIGKILL", id);
        }
        for (String id : ctr("containers", "ls", "-q").out().lines().toList()) {
            ctr("tasks", "rm", "-f", id);
            ctr("containers", "rm", id);
        }
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(" " + dir)).toList();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(mounts).as("mounts left under " + dir).isEmpty();
        assertThat(TestNamespaces.remove(NS)).as("cgroups and runtime state left of namespace " + NS).isEmpty();
    }

    static Cli.Result jctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jctr").toString(),
                "--address", daemon.socket().toString(), "--namespace", NS));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 120);
    }

    /**
     * Runs jctr with {@code args} in the background, sends task {@code id} SIGUSR1 once that jctr
     * holds the task's stdout FIFO open (it is attached) and the task runs, and returns what jctr printed.
     */
    static Cli.Result jctrThenSignal(String id, String... args) throws Exception {
        return jctrThen(id, (jctr, out) -> {
            Cli.Result kill = ctr("tasks", "kill", "-s", "SIGUSR1", id);
            assertThat(kill.exit()).as(kill.toString()).isZero();
        }, args);
    }

    /** What a test does to a running jctr: {@code out} is the file its stdout goes to. */
    interface AfterAttach {
        void accept(Process jctr, Path out) throws Exception;
    }

    /**
     * Runs jctr with {@code args} in the background, does {@code action} to that jctr once it holds task {@code id}'s
     * stdout FIFO open and the task runs, and returns what jctr printed.
     */
    static Cli.Result jctrThen(String id, AfterAttach action, String... args) throws Exception {
        // started as from a terminal: a test run launched in the background of a non-interactive shell inherits SIGINT
        // ignored, and the JVM cannot handle a shutdown signal ignored at its start (ctr's Go runtime takes it back)
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "--default-signal=HUP,INT,TERM",
                RepoRoot.find().resolve("bin/jctr").toString(), "--address", daemon.socket().toString(), "--namespace", NS));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "jctr", ".out");
        Path err = Files.createTempFile(dir, "jctr", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!holdsOpen(p.pid(), id + "-stdout") || !ctr("tasks", "ls").out().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("RUNNING"))) {
                assertThat(p.isAlive()).as("jctr %s exited before attaching: %s", args, Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("jctr %s attached within 120 s", args).isLessThan(deadline);
                Thread.sleep(20);
            }
            action.accept(p, out);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("jctr %s ended", args).isTrue();
            return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Waits until {@code file} holds {@code text}, woken by the file's writes (inotify through the JDK's watch service),
     * while {@code writer} runs; fails after 60 s.
     */
    private static void awaitText(Path file, String text, Process writer) throws Exception {
        try (WatchService watch = file.getFileSystem().newWatchService()) {
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_MODIFY); // before the first read: no write missed
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(file).contains(text)) {
                assertThat(writer.isAlive()).as("%s still runs", writer.info().command().orElse("the writer")).isTrue();
                long left = deadline - System.nanoTime();
                assertThat(left).as("%s held %s within 60 s", file, text).isPositive();
                // a second at most: a writer that died without writing is seen by the check above
                WatchKey key = watch.poll(Math.min(left, 1_000_000_000L), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    private static boolean holdsOpen(long pid, String fileName) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().endsWith("/" + fileName);
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    static Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "--namespace", NS));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 120);
    }

    @Test
    void runRemovePrintsTheOutputAndLeavesNothingBehind() {
        Cli.Result r = jctr("run", "--rm", IMAGE, HELLO, "echo", "hello");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("hello\n");
        assertThat(ctr("containers", "ls", "-q").out()).isEmpty();
        assertThat(ctr("snapshots", "ls").out()).doesNotContain(HELLO);
        assertThat(dir.resolve("state/tasks/" + NS + "/hello")).doesNotExist();
        assertThat(ctr("leases", "ls", "-q").out()).as("the create's lease, deleted without waiting, then awaited").isEmpty();
    }

    @Test
    void theTasksExitCodeIsJctrsExitCode() {
        Cli.Result r = jctr("run", "--rm", IMAGE, THREE, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err");
    }

    @Test
    void aSignalToJctrReachesTheTaskWhoseStatusIsJctrsAndRmStillCleansUp() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            Cli.Result r = jctrThen(SIGNALLED, (jctr, out) -> {
                awaitText(out, "ready", jctr); // the task's trap is set once it has said so
                Cli.Result kill = Cli.run(List.of("kill", "-" + signal, Long.toString(jctr.pid())), Map.of(), 30);
                assertThat(kill.exit()).as(kill.toString()).isZero();
            }, "run", "--rm", IMAGE, SIGNALLED, "sh", "-c", "trap 'echo got " + signal + "; exit 42' " + signal
                    + "; echo ready; sleep 3600 & wait");
            assertThat(r.exit()).as(r.toString()).isEqualTo(42);
            assertThat(r.out()).isEqualTo("ready\ngot " + signal + "\n");
            assertThat(ctr("containers", "ls", "-q").out()).doesNotContain(SIGNALLED);
            assertThat(ctr("snapshots", "ls").out()).doesNotContain(SIGNALLED);
        }
    }

    @Test
    void aPlainRunStartsNoLoggingAndLooksNothingUpOnTheClassPath() throws IOException {
        // each of these reads the jar's directory (README "Performance", sessions 12 and 13): java.util.logging and
        // System.Logger (System.exit's) look their backend up as a service, protobuf's Utf8 and UnsafeUtil look Android's
        // classes up by name; and RuntimeVersion's String.format loads the locale data
        Path log = dir.resolve("run-class-init.log");
        List<String> line = List.of(RepoRoot.find().resolve("bin/jctr").toString(), "--address", daemon.socket().toString(),
                "--namespace", NS, "run", "--rm", IMAGE, THREE, "sh", "-c", "echo out; exit 3");
        Cli.Result r = Cli.run(line, Map.of("JCD_JAVA_OPTS", "-Xlog:class+init=info:file=" + log), 120);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(Files.readString(log)).contains("io/jcontainerd/ctr/run/ContainerRun")
                .doesNotContain("java/util/logging/LogManager", "jdk/internal/logger/BootstrapLogger", "java/lang/System$Logger",
                        "com/google/protobuf/Android", "java/util/ServiceLoader$LazyClassPathLookupIterator",
                        "com/google/protobuf/RuntimeVersion");
        assertThat(ctr("containers", "ls", "-q").out()).isEmpty();
    }

    @Test
    void envCwdAndUserFlagsAreWhatTheProcessSees() throws IOException {
        Path envFile = Files.writeString(dir.resolve("env"), "FROM_FILE=yes\n# comment\n");
        Cli.Result r = jctr("run", "--rm", "-e", "GREETING=hi there", "--env-file", envFile.toString(), "--cwd", "/tmp",
                "--user", "1000:1000", "--label", "team=infra", IMAGE, FLAGS, "sh", "-c", "env; pwd; id");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().lines()).contains("GREETING=hi there", "FROM_FILE=yes", "/tmp",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assertThat(r.out()).contains("uid=1000 gid=1000");

        Cli.Result root = jctr("run", "--rm", "--user", "root", IMAGE, ASROOT, "id");
        assertThat(root.out()).as(root.toString()).startsWith("uid=0(root) gid=0(root)");
    }

    @Test
    void bindMountsReadOnlyRootAndPrivilegedReachTheProcess() throws IOException {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(shared.resolve("f"), "from the host\n");
        Cli.Result ro = jctr("run", "--rm", "--read-only", "--mount", "type=bind,src=" + shared + ",dst=/mnt,options=rbind:ro",
                IMAGE, RO, "sh", "-c", "cat /mnt/f; touch /mnt/x || touch /x || echo both read-only");
        assertThat(ro.exit()).as(ro.toString()).isZero();
        assertThat(ro.out()).isEqualTo("from the host\nboth read-only\n");

        Cli.Result priv = jctr("run", "--rm", "--privileged", IMAGE, PRIV, "sh", "-c", "grep CapEff /proc/self/status; ls /dev | wc -l");
        assertThat(priv.exit()).as(priv.toString()).isZero();
        String ownCaps = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow();
        assertThat(priv.out().lines().findFirst().orElseThrow()).as("the container gets the capabilities jctr has").isEqualTo(ownCaps);
        assertThat(Integer.parseInt(priv.out().lines().skip(1).findFirst().orElseThrow().strip()))
                .as("host devices are there").isGreaterThan(20);
    }

    @Test
    void detachedTaskIsListedKilledAndRemovedWithItsFifos() {
        Cli.Result run = jctr("run", "-d", IMAGE, WEB, "sleep", "1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEmpty();
        Cli.Result ls = jctr("tasks", "ls");
        Matcher m = Pattern.compile("(?m)^" + WEB + " +(\\d+) +RUNNING").matcher(ls.out());
        assertThat(m.find()).as(ls.out()).isTrue();
        long pid = Long.parseLong(m.group(1));
        String fifoDir = fifoDirOf(WEB).toString();
        assertThat(Path.of(fifoDir)).exists();

        assertThat(jctr("tasks", "rm", WEB).err()).contains("must be stopped");
        assertThat(jctr("containers", "rm", WEB).err()).contains("cannot delete a non stopped container");
        assertThat(jctr("tasks", "kill", "-s", "SIGKILL", WEB).exit()).isZero();
        awaitTasks(out -> out.matches("(?s).*\\n" + WEB + " +\\d+ +STOPPED.*"));
        Cli.Result rm = jctr("tasks", "rm", WEB);
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(jctr("containers", "rm", WEB).exit()).isZero();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Path.of(fifoDir)).doesNotExist();
        assertThat(jctr("tasks", "ls", "-q").out()).isEmpty();
        assertThat(ctr("snapshots", "ls").out()).as("containers rm removes the snapshot, as ctr's does").doesNotContain(WEB);
    }

    @Test
    void execRunsAnotherProcessAndPauseFreezesTheTask() {
        assertThat(jctr("run", "-d", IMAGE, BOX, "sleep", "1000").exit()).isZero();
        Cli.Result exec = jctr("tasks", "exec", "--exec-id", "e1", BOX, "sh", "-c", "echo inside $(hostname); exit 4");
        assertThat(exec.exit()).as(exec.toString()).isEqualTo(4);
        assertThat(exec.out()).isEqualTo("inside " + BOX + "\n");

        assertThat(jctr("tasks", "pause", BOX).exit()).isZero();
        assertThat(jctr("tasks", "ls").out()).containsPattern("(?m)^" + BOX + " +\\d+ +PAUSED");
        assertThat(jctr("tasks", "resume", BOX).exit()).isZero();
        assertThat(jctr("tasks", "ls").out()).containsPattern("(?m)^" + BOX + " +\\d+ +RUNNING");
        assertThat(jctr("tasks", "ps", BOX).out()).startsWith("PID");
        assertThat(jctr("tasks", "metrics", BOX).out()).contains("pids");

        Cli.Result kill = jctr("tasks", "rm", "-f", BOX);
        assertThat(kill.exit()).as(kill.toString()).isZero();
        assertThat(jctr("containers", "rm", BOX).exit()).isZero();
    }

    @Test
    void anImageThatIsNotPulledIsOneLineSayingHowToPullIt() {
        Cli.Result r = jctr("run", "--rm", "docker.io/library/nothere:latest", "x", "true");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("jctr: image docker.io/library/nothere:latest is not pulled: "
                + "pull it first with `jctr images pull docker.io/library/nothere:latest`");
        assertThat(ctr("leases", "ls", "-q").out()).as("the lease asked for while the image was looked up").isEmpty();
    }

    @Test
    void aContainerIdThatExistsIsAlreadyExistsAndTheFirstIsUntouched() {
        assertThat(jctr("run", "-d", IMAGE, TWICE, "sleep", "1000").exit()).isZero();
        Cli.Result again = jctr("run", "--rm", IMAGE, TWICE, "true");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("container " + TWICE + " already exists", "AlreadyExists");
        assertThat(jctr("tasks", "ls").out()).containsPattern("(?m)^" + TWICE + " +\\d+ +RUNNING");
        assertThat(ctr("leases", "ls", "-q").out()).isEmpty();
    }

    @Test
    void interactiveTerminalSessionEchoesAndExitsOnCtrlD() throws Exception {
        Cli.requireTool("/usr/bin/tmux", "tmux");
        String session = "jctr-it-" + ProcessHandle.current().pid();
        String cmd = RepoRoot.find().resolve("bin/jctr") + " --address " + daemon.socket() + " --namespace " + NS
                + " run --rm -t " + IMAGE + " " + SHELL + " sh; echo EXIT=$?; sleep 120";
        Cli.Result started = Cli.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd));
        assertThat(started.exit()).as(started.toString()).isZero();
        try {
            // capture-pane drops trailing blanks: the prompt reads "/ #"
            awaitPane(session, p -> p.lines().anyMatch(l -> l.equals("/ #")));
            tmux("send-keys", "-t", session, "echo hi", "Enter");
            awaitPane(session, p -> p.lines().anyMatch(l -> l.equals("hi")));
            awaitSizeInside(session, 30, 100);
            tmux("send-keys", "-t", session, "C-d");
            String pane = awaitPane(session, p -> p.contains("EXIT="));
            assertThat(pane).contains("EXIT=0");
        } finally {
            tmux("kill-session", "-t", session);
        }
        assertThat(ctr("containers", "ls", "-q").out()).isEmpty();
    }

    /**
     * containerd's ctr 1.6 {@code run -t} sets no console size in the spec, it resizes after the start, as jctr:
     * the shell in the pane gets the window's size that way, and a changed window follows.
     */
    @Test
    void containerdsCtrRunTGetsTheTerminalsSizeThroughResizePty() throws Exception {
        Cli.requireTool("/usr/bin/tmux", "tmux");
        String session = "ctr-it-" + ProcessHandle.current().pid();
        String cmd = "/usr/bin/ctr --address " + daemon.socket() + " --namespace " + NS + " run --rm -t " + IMAGE + " " + CTRTTY + " sh; echo EXIT=$?; sleep 120";
        Cli.Result started = Cli.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd));
        assertThat(started.exit()).as(started.toString()).isZero();
        try {
            awaitPane(session, p -> p.lines().anyMatch(l -> l.equals("/ #")));
            awaitSizeInside(session, 30, 100);
            assertThat(tmux("resize-window", "-t", session, "-x", "90", "-y", "25").exit()).isZero();
            awaitSizeInside(session, 25, 90);
            tmux("send-keys", "-t", session, "exit 3", "Enter");
            assertThat(awaitPane(session, p -> p.contains("EXIT="))).contains("EXIT=3");
        } finally {
            tmux("kill-session", "-t", session);
        }
    }

    /**
     * The size the shell in the pane finally sees: it polls {@code stty size} until it is {@code rows x columns}
     * and then prints it (the marker is split in the typed line, so only the output matches).
     */
    private static void awaitSizeInside(String session, int rows, int columns) throws InterruptedException {
        tmux("send-keys", "-t", session, "until [ \"$(stty size 2>&1)\" = \"" + rows + " " + columns + "\" ]; do sleep 0.1; done; echo SI\"\"ZE-$(stty size | tr ' ' x)", "Enter");
        awaitPane(session, p -> p.contains("SIZE-" + rows + "x" + columns));
    }

    @Test
    void attachShowsADetachedTasksLaterOutputAndStartRunsAStoppedContainerAgain() throws Exception {
        // the task prints only when told (SIGUSR1), so its output comes after the client attached
        // whatever a JVM start takes on a loaded machine
        Cli.Result run = jctr("run", "-d", IMAGE, AGAIN, "sh", "-c", "trap 'echo late; exit 6' USR1; while :; do sleep 1 & wait $!; done");
        assertThat(run.exit()).as(run.toString()).isZero();
        Cli.Result attach = jctrThenSignal(AGAIN, "tasks", "attach", AGAIN);
        assertThat(attach.exit()).as(attach.toString()).isEqualTo(6);
        assertThat(attach.out()).isEqualTo("late\n");

        assertThat(jctr("tasks", "rm", AGAIN).exit()).isZero();
        Cli.Result start = jctrThenSignal(AGAIN, "tasks", "start", AGAIN);
        assertThat(start.exit()).as(start.toString()).isEqualTo(6);
        assertThat(start.out()).isEqualTo("late\n");
        assertThat(jctr("tasks", "ls", "-q").out()).doesNotContain(AGAIN);
        assertThat(jctr("containers", "rm", AGAIN).exit()).isZero();
    }

    @Test
    void eventsPrintsEachEventAsTimeNamespaceTopicAndJson() throws Exception {
        Path log = dir.resolve("events.log");
        Process events = new ProcessBuilder(RepoRoot.find().resolve("bin/jctr").toString(), "--address",
                daemon.socket().toString(), "--namespace", NS, "events", "topic~=/tasks/")
                .redirectOutput(log.toFile()).redirectErrorStream(true).start();
        try {
            // Only events after the subscription arrive: run containers until one is seen.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(log).contains("/tasks/exit") && System.nanoTime() < deadline) {
                assertThat(ctr("run", "--rm", IMAGE, SEEN, "true").exit()).isZero();
            }
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                    "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{9} \\+0000 UTC " + NS + " /tasks/exit "
                            + "\\{\"container_id\":\"" + SEEN + "\",\"id\":\"" + SEEN + "\",\"pid\":\\d+,\"exited_at\":\".*\"}"));
            assertThat(lines).noneMatch(l -> l.contains("/containers/"));
        } finally {
            events.destroy();
            events.waitFor();
        }
    }

    private static Cli.Result tmux(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        return Cli.run(cmd);
    }

    private static String awaitPane(String session, Predicate<String> done) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String pane = "";
        while (System.nanoTime() < deadline) {
            pane = tmux("capture-pane", "-p", "-t", session).out();
            if (done.test(pane)) {
                return pane;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the terminal never showed what was expected; it shows:\n" + pane);
    }

    /** The private FIFO directory jctr made for a task (ids are unique across these tests). */
    private static Path fifoDirOf(String id) {
        try (var dirs = Files.list(Path.of("/run/jcontainerd/fifo"))) {
            return dirs.filter(d -> Files.exists(d.resolve(id + "-stdout"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no FIFO for " + id + " under /run/jcontainerd/fifo"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitTasks(Predicate<String> done) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String out = "";
        while (System.nanoTime() < deadline) {
            out = ctr("tasks", "ls").out();
            if (done.test(out)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("tasks never reached the expected state: " + out);
    }
}
