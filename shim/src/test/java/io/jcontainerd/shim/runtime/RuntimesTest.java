package io.jcontainerd.shim.runtime;

import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.process.Reaper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuntimesTest {
    @TempDir Path home;
    private final ShimSyscalls sys = ShimSyscalls.linux();
    private final Reaper reaper = new Reaper(sys); // never started: nothing here spawns

    private Path executable(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    private Runtimes runtimes(Path defaultBinary, Path ownJrunc) {
        return new Runtimes(defaultBinary, Path.of("/run/jrunc/default"), ownJrunc, home.resolve("log.json"), reaper, sys);
    }

    @Test
    void theInstallationsOwnJruncRunsInProcessWithTheRequestedRoot() throws Exception {
        Path jrunc = executable(home.resolve("bin/jrunc"));
        Path link = Files.createSymbolicLink(home.resolve("jrunc-link"), jrunc);
        Runtimes runtimes = runtimes(jrunc, jrunc);

        assertThat(runtimes.select("", "")).isInstanceOfSatisfying(InProcessRuntime.class,
                r -> assertThat(r.root()).isEqualTo(Path.of("/run/jrunc/default")));
        assertThat(runtimes.select(link.toString(), "/run/other")).isInstanceOfSatisfying(InProcessRuntime.class,
                r -> assertThat(r.root()).isEqualTo(Path.of("/run/other")));
    }

    @Test
    void eachTaskOfAGroupGetsItsNamespacesRootAndItsOwnLog() throws Exception {
        Path jrunc = executable(home.resolve("bin/jrunc"));
        Runtimes shim = runtimes(Path.of("/usr/sbin/runc"), jrunc);

        assertThat(shim.forTask(Path.of("/run/jrunc/k8s.io"), home.resolve("k8s/log.json")).select("", ""))
                .isInstanceOfSatisfying(RuntimeBinary.class, r -> assertThat(r.root()).isEqualTo(Path.of("/run/jrunc/k8s.io")));
        assertThat(shim.forTask(Path.of("/run/jrunc/other"), home.resolve("o/log.json")).select(jrunc.toString(), ""))
                .isInstanceOfSatisfying(InProcessRuntime.class, r -> assertThat(r.root()).isEqualTo(Path.of("/run/jrunc/other")));
    }

    @Test
    void anyOtherRuntimeRunsAsItsBinary() throws Exception {
        Path jrunc = executable(home.resolve("bin/jrunc"));
        Path otherJrunc = executable(home.resolve("elsewhere/bin/jrunc"));
        Runtimes runtimes = runtimes(Path.of("/usr/sbin/runc"), jrunc);

        assertThat(runtimes.select("", "")).isInstanceOfSatisfying(RuntimeBinary.class, r -> {
            assertThat(r.binary()).isEqualTo(Path.of("/usr/sbin/runc"));
            assertThat(r.root()).isEqualTo(Path.of("/run/jrunc/default"));
        });
        assertThat(runtimes.select(otherJrunc.toString(), "/run/x")).isInstanceOfSatisfying(RuntimeBinary.class, r -> {
            assertThat(r.binary()).isEqualTo(otherJrunc);
            assertThat(r.root()).isEqualTo(Path.of("/run/x"));
        });
    }

    @Test
    void turnedOffEvenTheOwnJruncRunsAsItsBinary() throws Exception {
        Path jrunc = executable(home.resolve("bin/jrunc"));

        assertThat(runtimes(jrunc, null).select("", "")).isInstanceOfSatisfying(RuntimeBinary.class,
                r -> assertThat(r.binary()).isEqualTo(jrunc));
    }

    @Test
    void aBinaryNameIsLookedUpOnThePath() {
        Runtimes runtimes = runtimes(Path.of("/usr/sbin/runc"), null);

        assertThat(runtimes.select("sh", "")).isInstanceOfSatisfying(RuntimeBinary.class,
                r -> assertThat(r.binary().getFileName()).isEqualTo(Path.of("sh")));
        assertThatThrownBy(() -> runtimes.select("no-such-runtime-xyz", ""))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("runtime binary no-such-runtime-xyz is not on PATH");
    }
}
