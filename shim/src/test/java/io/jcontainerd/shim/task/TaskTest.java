package io.jcontainerd.shim.task;

import com.google.protobuf.Message;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.events.EventSink;
import io.jcontainerd.shim.io.Stdio;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.process.ExitStatusFile;
import io.jcontainerd.shim.process.Reaper;
import io.jcontainerd.shim.runtime.OciRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The task's rules without root: a runtime that records its calls and stands a plain child
 * process (sleep) in for the container's init, so exits really travel through the reaper.
 */
class TaskTest {
    private static final ShimSyscalls SYS = ShimSyscalls.linux();
    private static final Reaper REAPER = new Reaper(SYS).start();

    @TempDir
    Path bundle;
    private final RecordingRuntime runtime = new RecordingRuntime();
    private final List<String> topics = new CopyOnWriteArrayList<>();
    private final List<Message> events = new CopyOnWriteArrayList<>();
    private Task task;

    private Task task() {
        EventSink sink = (topic, event) -> {
            topics.add(topic);
            events.add(event);
        };
        task = new Task("default", "web", bundle, SYS, REAPER, (binary, root) -> runtime, sink,
                Executors.newVirtualThreadPerTaskExecutor());
        return task;
    }

    @AfterEach
    void killInit() throws InterruptedException {
        if (runtime.initPid > 0) {
            try {
                SYS.kill(runtime.initPid, 9);
                // the exit is recorded in the bundle (the temp dir JUnit deletes next): wait for that
                task.await("web", "");
            } catch (RuntimeException ignored) {
                // Already gone.
            }
        }
    }

    @Test
    void runsCreateStartKillWaitDeleteInOrderAndRecordsTheExit() throws Exception {
        Task t = task();
        int pid = t.create("web", "", List.of(), new Stdio("", "", "", false), "", "");
        assertThat(t.state("web", "").status()).isEqualTo(ProcessStatus.CREATED);
        t.start("web", "");
        t.kill("web", "", 9, false);

        assertThat(t.await("web", "").status()).isEqualTo(137);
        assertThat(t.state("web", "").status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(ExitStatusFile.read(bundle)).get().satisfies(e -> assertThat(e.pid()).isEqualTo(pid));
        assertThat(t.delete("web", "").status()).isEqualTo(137);
        assertThat(runtime.calls).containsExactly("create web", "start web", "kill web 9 false", "delete web force");
        assertThat(topics).containsExactly("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete");
        assertThat(((TaskExit) events.get(2)).getExitStatus()).isEqualTo(137);
        assertThat(t.idle()).isTrue();
    }

    @Test
    void refusesWhatContainerdRefusesWithTheKindItUses() {
        Task t = task();
        assertKind(() -> t.state("web", ""), ErrorKind.NOT_FOUND);
        t.create("web", "", List.of(), new Stdio("", "", "", false), "", "");
        assertKind(() -> t.create("web", "", List.of(), new Stdio("", "", "", false), "", ""), ErrorKind.ALREADY_EXISTS);
        assertKind(() -> t.state("db", ""), ErrorKind.NOT_FOUND);
        assertKind(() -> t.state("web", "nope"), ErrorKind.NOT_FOUND);
        assertKind(() -> t.create("web", "/elsewhere", List.of(), new Stdio("", "", "", false), "", ""), ErrorKind.INVALID_ARGUMENT);
        t.start("web", "");
        assertKind(() -> t.start("web", ""), ErrorKind.FAILED_PRECONDITION);
        assertKind(() -> t.delete("web", ""), ErrorKind.FAILED_PRECONDITION);
        assertKind(() -> t.resizePty("web", "", 80, 24), ErrorKind.FAILED_PRECONDITION);
        assertKind(() -> t.exec("web", "bad/id", new Stdio("", "", "", false), "{}"), ErrorKind.INVALID_ARGUMENT);
        t.exec("web", "e1", new Stdio("", "", "", false), "{}");
        assertKind(() -> t.exec("web", "e1", new Stdio("", "", "", false), "{}"), ErrorKind.ALREADY_EXISTS);
        assertKind(() -> t.kill("web", "e1", 9, false), ErrorKind.FAILED_PRECONDITION);
        assertThat(t.idle()).isFalse();
    }

    /**
     * The init died and the runtime already sees it stopped, but its exit has not reached the reaper:
     * a kill then is NotFound "already exited", as containerd's shim answers (checkKillError), not a
     * failure; a client's rm -f after a kill relies on that.
     */
    @Test
    void aKillOfAnInitTheRuntimeSeesStoppedBeforeItsExitIsReapedIsNotFound() {
        Task t = task();
        t.create("web", "", List.of(), new Stdio("", "", "", false), "", "");
        t.start("web", "");
        runtime.refuseKill = JcdException.failedPrecondition("jrunc kill: container web is not running");
        assertThatThrownBy(() -> t.kill("web", "", 9, false)).isInstanceOfSatisfying(JcdException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
            assertThat(e.getMessage()).contains("has already exited").contains("is not running");
        });
        runtime.refuseKill = JcdException.invalidArgument("jrunc kill: bad signal");
        assertKind(() -> t.kill("web", "", 9, false), ErrorKind.INVALID_ARGUMENT);
    }

    private static void assertKind(Runnable call, ErrorKind kind) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    /** Records calls; "create" starts a sleep as the init and writes its pid file, as runc create does. */
    private static final class RecordingRuntime implements OciRuntime {
        final List<String> calls = new ArrayList<>();
        volatile int initPid;
        /** What kill throws instead of signalling, when set. */
        volatile JcdException refuseKill;

        @Override
        public void create(String id, Path bundle, Path pidFile, Optional<Path> consoleSocket, Stdio stdio) {
            calls.add("create " + id);
            initPid = REAPER.spawn(List.of("/bin/sleep", "1000"), Map.of(), stdio.fds());
            try {
                Files.writeString(pidFile, Integer.toString(initPid));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void start(String id) {
            calls.add("start " + id);
        }

        @Override
        public void kill(String id, int signal, boolean all) {
            calls.add("kill " + id + " " + signal + " " + all);
            if (refuseKill != null) {
                throw refuseKill;
            }
            SYS.kill(initPid, signal);
        }

        @Override
        public void delete(String id, boolean force) {
            calls.add("delete " + id + (force ? " force" : ""));
        }

        @Override
        public void pause(String id) {
            calls.add("pause " + id);
        }

        @Override
        public void resume(String id) {
            calls.add("resume " + id);
        }

        @Override
        public List<Integer> ps(String id) {
            return List.of(initPid);
        }

        @Override
        public void exec(String id, Path processJson, Path pidFile, Optional<Path> consoleSocket, Stdio stdio) {
            calls.add("exec " + id);
        }

        @Override
        public void update(String id, Path resourcesJson) {
            calls.add("update " + id);
        }

        @Override
        public String stats(String id) {
            return "{}";
        }
    }
}
