package io.jcontainerd.shim;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShimArgsTest {
    private static final String[] REQUIRED = {"--namespace", "default", "--id", "web", "--bundle", "/run/jcontainerd/tasks/default/web",
        "--address", "/run/jcontainerd/jcontainerd.sock", "--socket=/run/jcontainerd/s/web.sock"};

    @Test
    void readsTheSupervisorsCommandLineWithDefaultsForTheRuntime(@TempDir Path home) {
        ShimArgs args = ShimArgs.parse(REQUIRED, home);

        assertThat(args.firstTask()).contains(new ShimArgs.FirstTask("default", "web", Path.of("/run/jcontainerd/tasks/default/web")));
        assertThat(args.socket()).isEqualTo(Path.of("/run/jcontainerd/s/web.sock"));
        assertThat(args.runtime()).as("no bin/jrunc yet: runc").isEqualTo(Path.of("/usr/sbin/runc"));
        assertThat(args.runtimeRoot("default")).isEqualTo(Path.of("/run/jrunc/default"));
        assertThat(args.name()).isEqualTo("default/web");
        assertThat(args.runtimeInProcess()).as("jrunc runs in the shim unless told otherwise").isTrue();
    }

    @Test
    void runningJruncInProcessCanBeTurnedOff() {
        String[] off = java.util.Arrays.copyOf(REQUIRED, REQUIRED.length + 2);
        off[REQUIRED.length] = "--runtime-in-process";
        off[REQUIRED.length + 1] = "false";
        assertThat(ShimArgs.parse(off, null).runtimeInProcess()).isFalse();
        off[REQUIRED.length + 1] = "no";
        assertThatThrownBy(() -> ShimArgs.parse(off, null)).isInstanceOf(JcdException.class)
                .hasMessageContaining("--runtime-in-process no: say true or false");
    }

    @Test
    void startsWithoutATaskAsASpareWhoseRuntimeRootFollowsEachTasksNamespace() {
        ShimArgs args = ShimArgs.parse(new String[] {"--address", "/run/jcontainerd/jcontainerd.sock",
            "--socket", "/run/jcontainerd/s/0123abcd.sock"}, null);

        assertThat(args.firstTask()).isEmpty();
        assertThat(args.runtimeRoot("k8s.io")).isEqualTo(Path.of("/run/jrunc/k8s.io"));
        assertThat(args.runtimeRoot("default")).isEqualTo(Path.of("/run/jrunc/default"));
        assertThat(args.name()).isEqualTo("0123abcd.sock");
        assertThat(ShimArgs.parse(new String[] {"--address", "/d.sock", "--socket", "/s.sock", "--runtime-root", "/tmp/r"}, null)
                .runtimeRoot("k8s.io")).as("an explicit root serves every namespace").isEqualTo(Path.of("/tmp/r"));
    }

    @Test
    void aTaskOnTheCommandLineNeedsItsNamespaceIdAndBundle() {
        assertThatThrownBy(() -> ShimArgs.parse(new String[] {"--id", "web", "--address", "/d.sock", "--socket", "/s.sock"}, null))
                .isInstanceOf(JcdException.class)
                .hasMessageContaining("--namespace is required with --id (give all three, or none to start idle)")
                .hasMessageContaining("usage:");
    }

    @Test
    void prefersTheProjectsJruncOnceItExists(@TempDir Path home) throws Exception {
        Path jrunc = Files.createDirectories(home.resolve("bin")).resolve("jrunc");
        Files.createFile(jrunc, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThat(ShimArgs.parse(REQUIRED, home).runtime()).isEqualTo(jrunc);
    }

    @Test
    void refusesMissingFlagsAndRelativePathsWithTheUsage() {
        assertThatThrownBy(() -> ShimArgs.parse(new String[] {"--socket", "/s.sock"}, null))
                .isInstanceOf(JcdException.class).hasMessageContaining("--address is required").hasMessageContaining("usage:");
        String[] relative = REQUIRED.clone();
        relative[5] = "tasks/web";
        assertThatThrownBy(() -> ShimArgs.parse(relative, null)).hasMessageContaining("--bundle tasks/web must be an absolute path");
        assertThatThrownBy(() -> ShimArgs.parse(new String[] {"--bogus", "x"}, null)).hasMessageContaining("unknown argument --bogus");
    }
}
