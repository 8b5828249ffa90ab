package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Snapshots service driven by containerd's own ctr, with the mounts it returns mounted for real. */
class SnapshotsServiceIT {
    @TempDir
    Path dir;
    DaemonProcess daemon;
    final List<Path> mounted = new ArrayList<>();

    @BeforeEach
    void start() {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        daemon = DaemonProcess.start(dir);
    }

    @AfterEach
    void stop() {
        for (Path m : mounted.reversed()) {
            Cli.run(List.of("umount", m.toString()));
        }
        daemon.close();
    }

    Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString()));
        cmd.addAll(List.of(args));
        return Cli.run(cmd);
    }

    Cli.Result ok(String... args) {
        Cli.Result r = ctr(args);
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    /** Mounts a snapshot the way a user would: the command ctr prints, run by the shell. */
    Path mount(String snapshotter, String key) throws Exception {
        Path target = Files.createDirectories(dir.resolve("mnt-" + key));
        String command = ok("snapshots", "--snapshotter", snapshotter, "mounts", target.toString(), key).out().strip();
        Cli.Result m = Cli.run(List.of("sh", "-c", command));
        assertThat(m.exit()).as(command + "\n" + m).isZero();
        mounted.add(target);
        return target;
    }

    void unmount(Path target) {
        assertThat(Cli.run(List.of("umount", target.toString())).exit()).isZero();
        mounted.remove(target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void layersStackAndEachNamespaceSeesOnlyItsOwn(String snapshotter) throws Exception {
        ok("snapshots", "--snapshotter", snapshotter, "prepare", "base");
        Path base = mount(snapshotter, "base");
        Files.writeString(base.resolve("from-base"), "1");
        Files.writeString(base.resolve("deleted-later"), "x");
        unmount(base);
        ok("snapshots", "--snapshotter", snapshotter, "commit", "layer1", "base");

        ok("snapshots", "--snapshotter", snapshotter, "prepare", "top", "layer1");
        Path top = mount(snapshotter, "top");
        assertThat(Files.readString(top.resolve("from-base"))).isEqualTo("1");
        Files.delete(top.resolve("deleted-later"));
        Files.writeString(top.resolve("from-top"), "2");
        unmount(top);

        ok("snapshots", "--snapshotter", snapshotter, "view", "look", "layer1");
        Path view = mount(snapshotter, "look");
        assertThat(view.resolve("deleted-later")).exists();
        assertThat(view.resolve("from-top")).doesNotExist();
        unmount(view);

        assertThat(ok("snapshots", "--snapshotter", snapshotter, "ls").out())
                .containsPattern("(?m)^top +layer1 +Active").containsPattern("(?m)^layer1 +Committed")
                .containsPattern("(?m)^look +layer1 +View");
        assertThat(ok("-n", "elsewhere", "snapshots", "--snapshotter", snapshotter, "ls").out().lines()).hasSize(1);
        assertThat(ctr("-n", "elsewhere", "snapshots", "--snapshotter", snapshotter, "info", "top").err()).contains("not found");
    }

    @Test
    void removalRulesAndErrorsNameKeysAsTheNamespaceKnowsThem() {
        ok("snapshots", "prepare", "base");
        ok("snapshots", "commit", "layer1", "base");
        ok("snapshots", "prepare", "top", "layer1");

        Cli.Result parent = ctr("snapshots", "rm", "layer1");
        assertThat(parent.exit()).isNotZero();
        assertThat(parent.err()).contains("layer1").contains("top").doesNotContain("default/");

        assertThat(ctr("snapshots", "prepare", "top", "layer1").err()).contains("already exists");
        assertThat(ctr("snapshots", "prepare", "x", "no-such-parent").err()).contains("no-such-parent").contains("not found");
        assertThat(ctr("snapshots", "--snapshotter", "zfs", "ls").err()).contains("snapshotter not loaded: zfs");

        assertThat(ctr("namespaces", "rm", "default").err()).contains("still has snapshots");

        ok("snapshots", "rm", "top");
        ok("snapshots", "rm", "layer1");
        assertThat(ok("snapshots", "ls").out().lines()).hasSize(1);
    }

    @Test
    void snapshotsSurviveADaemonRestart() {
        ok("snapshots", "prepare", "base");
        ok("snapshots", "commit", "kept", "base");
        daemon.stop();
        daemon = DaemonProcess.start(dir);
        assertThat(ok("snapshots", "ls").out()).containsPattern("(?m)^kept +Committed");
    }
}
