package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.init.HookRunner;
import io.jcontainerd.runtime.spec.Hooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.time.Duration;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HookRunnerTest {
    @TempDir Path dir;

    /** Own children, recording what went through the embedding process's hands. */
    static final class Recording implements Children {
        final List<Integer> spawned = new ArrayList<>();
        final List<Integer> awaited = new ArrayList<>();

        @Override public int spawn(IntSupplier spawn) {
            int pid = Children.own().spawn(spawn);
            spawned.add(pid);
            return pid;
        }

        @Override public int await(int pid) {
            awaited.add(pid);
            return Children.own().await(pid);
        }

        @Override public OptionalInt await(int pid, Duration timeout) {
            OptionalInt status = Children.own().await(pid, timeout);
            if (status.isPresent()) awaited.add(pid);
            return status;
        }
    }

    private static Hooks.Hook sh(String script, Integer timeout) {
        return new Hooks.Hook("/bin/sh", List.of("sh", "-c", script), List.of("HOOK_VAR=set", "PATH=/bin:/usr/bin"), timeout);
    }

    @Test
    void aHookReadsTheStateOnStdinWithItsOwnEnvironmentAndIsReapedThroughChildren() throws Exception {
        Path out = dir.resolve("out");
        Recording children = new Recording();
        HookRunner.run(new ChildrenSyscalls(children), "prestart", List.of(sh("cat > " + out + "; echo \"$HOOK_VAR\" >> " + out, null)), "{\"id\":\"c1\"}");
        assertThat(Files.readString(out)).isEqualTo("{\"id\":\"c1\"}set\n");
        assertThat(children.awaited).isEqualTo(children.spawned).hasSize(1);
    }

    @Test
    void aFailingHookNamesItsPhasePathAndStatus() {
        assertThatThrownBy(() -> HookRunner.run(new ChildrenSyscalls(new Recording()), "poststart", List.of(sh("exit 7", 5)), "{}"))
                .isInstanceOf(JruncException.class)
                .hasMessage("poststart hook #0 /bin/sh exited with status 7");
    }

    @Test
    void runEachRunsTheRemainingHooksAfterAFailureAndReturnsEveryFailure() throws Exception {
        Path out = dir.resolve("ran");
        List<String> failures = HookRunner.runEach(new ChildrenSyscalls(new Recording()), "poststop",
                List.of(sh("exit 3", 5), sh("echo second >> " + out, 5), sh("exit 4", 5)), "{}");
        assertThat(failures).containsExactly("poststop hook #0 /bin/sh exited with status 3", "poststop hook #2 /bin/sh exited with status 4");
        assertThat(Files.readString(out)).isEqualTo("second\n");
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndReaped() {
        Recording children = new Recording();
        long start = System.nanoTime();
        assertThatThrownBy(() -> HookRunner.run(new ChildrenSyscalls(children), "createRuntime", List.of(sh("sleep 30", 1)), "{}"))
                .hasMessage("createRuntime hook #0 /bin/sh ran past its timeout of 1 s and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(children.awaited).isEqualTo(children.spawned).hasSize(1);
    }

    @Test
    void aHookThatCannotBeStartedSaysSo() {
        Hooks.Hook missing = new Hooks.Hook(dir.resolve("missing").toString(), List.of(), List.of(), null);
        assertThatThrownBy(() -> HookRunner.run(new ChildrenSyscalls(new Recording()), "poststop", List.of(missing), "{}"))
                .hasMessageStartingWith("poststop hook #0 " + dir.resolve("missing") + " cannot run: ");
    }

    @Test
    void aFailingHooksOutputIsPartOfItsErrorOnOneLine() {
        assertThatThrownBy(() -> HookRunner.run(new ChildrenSyscalls(new Recording()), "prestart",
                List.of(sh("echo first; echo second >&2; exit 2", null)), "{}"))
                .hasMessage("prestart hook #0 /bin/sh exited with status 2; its output: first | second");
    }
}
