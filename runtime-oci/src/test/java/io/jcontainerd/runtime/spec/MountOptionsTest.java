package io.jcontainerd.runtime.spec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jcontainerd.runtime.spec.MountOptions.*;
import static org.assertj.core.api.Assertions.assertThat;

class MountOptionsTest {
    @Test
    void splitsFlagsFromFilesystemData() {
        MountOptions o = MountOptions.parse(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        assertThat(o.flags()).isEqualTo(MS_NOSUID | MS_NOEXEC);
        assertThat(o.data()).isEqualTo("newinstance,ptmxmode=0666,mode=0620,gid=5");
    }

    @Test
    void rbindWithRoNeedsARemountPassAndKeepsPropagation() {
        MountOptions o = MountOptions.parse(List.of("rbind", "ro", "rslave"));
        assertThat(o.isBind()).isTrue();
        assertThat(o.recursiveBind()).isTrue();
        assertThat(o.remountFlags()).isEqualTo(MS_RDONLY);
        assertThat(o.propagation()).isEqualTo(MS_SLAVE | MS_REC);
    }

    @Test
    void laterOptionsWin() {
        assertThat(MountOptions.parse(List.of("ro", "rw")).flags() & MS_RDONLY).isZero();
    }
}
