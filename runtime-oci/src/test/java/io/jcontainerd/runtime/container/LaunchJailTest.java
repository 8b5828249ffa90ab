package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.RecordingSyscalls;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaunchJailTest {
    @Test
    void theLoaderIsReachedThroughTheHostsSymlinksAndOnlyTheFileItNamesIsBoundReadOnly() {
        RecordingSyscalls sys = new RecordingSyscalls().link("/lib64", "usr/lib64").dir("/usr").dir("/usr/lib64")
                .link("/usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
                .dir("/usr/lib").dir("/usr/lib/x86_64-linux-gnu").file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");

        new LaunchJail(sys).expose(LaunchJail.INTERPRETER, true);

        assertThat(sys.calls).containsExactly(
                "symlink /proc/lib64 -> usr/lib64",
                "mkdirs /proc/usr",
                "mkdirs /proc/usr/lib64",
                "symlink /proc/usr/lib64/ld-linux-x86-64.so.2 -> ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "mkdirs /proc/usr/lib",
                "mkdirs /proc/usr/lib/x86_64-linux-gnu",
                "create /proc/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "mount /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /proc/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2  0x5000",
                // MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
                "mount  /proc/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2  0x1027");
    }

    @Test
    void aDirectoryIsBoundWholeOnceAndAMissingPathIsLeftOut() {
        RecordingSyscalls sys = new RecordingSyscalls().dir("/opt").dir("/opt/jdk");
        LaunchJail jail = new LaunchJail(sys);

        jail.expose("/opt/jdk", true);
        jail.expose("/opt/jdk", true);
        jail.expose("/opt/missing/lib.so", true);

        assertThat(sys.calls).containsExactly("mkdirs /proc/opt", "mkdirs /proc/opt/jdk",
                "mount /opt/jdk /proc/opt/jdk  0x5000", "mount  /proc/opt/jdk  0x1027");
    }

    @Test
    void aSymlinkLoopIsAnError() {
        RecordingSyscalls sys = new RecordingSyscalls().link("/a", "/b").link("/b", "/a");
        assertThatThrownBy(() -> new LaunchJail(sys).expose("/a/lib.so", true))
                .isInstanceOf(JruncException.class).hasMessageContaining("too many symlinks in /a/lib.so");
    }
}
