package io.jcontainerd.network.netns;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetNamespacesTest {
    @TempDir
    Path dir;

    /** Records the calls; fails the create when told. */
    static final class Recording implements NsSyscalls {
        final List<String> calls = new ArrayList<>();
        boolean failCreate;

        @Override
        public void createPinnedNetns(Path target) {
            calls.add("create " + target.getFileName());
            if (failCreate) {
                throw JcdException.unavailable("unshare failed");
            }
        }

        @Override
        public void makeSharedMountPoint(Path d) {
            calls.add("shared " + d.getFileName());
        }

        @Override
        public boolean detach(Path path) {
            calls.add("detach " + path.getFileName());
            return true;
        }
    }

    @Test
    void createMakesTheDirectorySharedOnceAndPinsOnAFileOfItsOwn() {
        Recording sys = new Recording();
        NetNamespaces ns = new NetNamespaces(dir.resolve("netns"), sys);
        Path a = ns.create("default-a");
        ns.create("default-b");
        assertThat(a).isEqualTo(dir.resolve("netns/default-a")).exists();
        assertThat(sys.calls).containsExactly("shared netns", "create default-a", "create default-b");
        assertThat(ns.list()).hasSize(2);
        assertThatThrownBy(() -> ns.create("default-a")).isInstanceOf(AlreadyExistsException.class);
    }

    @Test
    void removeUnpinsAndDeletesAndAGoneOneIsFine() {
        Recording sys = new Recording();
        NetNamespaces ns = new NetNamespaces(dir.resolve("netns"), sys);
        Path a = ns.create("default-a");
        ns.remove(a);
        ns.remove(a);
        assertThat(a).doesNotExist();
        assertThat(sys.calls).containsExactly("shared netns", "create default-a", "detach default-a");
        assertThatThrownBy(() -> ns.remove(Path.of("/etc/passwd"))).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aFailedCreateLeavesNoPinFile() {
        Recording sys = new Recording();
        sys.failCreate = true;
        NetNamespaces ns = new NetNamespaces(dir.resolve("netns"), sys);
        assertThatThrownBy(() -> ns.create("default-a")).hasMessageContaining("unshare failed");
        assertThat(Files.exists(dir.resolve("netns/default-a"))).isFalse();
    }

    @Test
    void namesThatAreNotPlainFileNamesAreRefused() {
        NetNamespaces ns = new NetNamespaces(dir.resolve("netns"), new Recording());
        assertThatThrownBy(() -> ns.create("../etc")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ns.create("")).isInstanceOf(InvalidArgumentException.class);
    }
}
