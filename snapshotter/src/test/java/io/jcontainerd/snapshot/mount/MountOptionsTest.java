package io.jcontainerd.snapshot.mount;

import io.jcontainerd.snapshot.linux.Syscalls;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MountOptionsTest {
    @Test
    void splitsFlagsFromFilesystemData() {
        MountOptions o = MountOptions.parse(List.of("index=off", "workdir=/w", "upperdir=/u", "lowerdir=/a:/b", "nosuid"));
        assertThat(o.flags()).isEqualTo(Syscalls.MS_NOSUID);
        assertThat(o.data()).isEqualTo("index=off,workdir=/w,upperdir=/u,lowerdir=/a:/b");
        assertThat(o.bind()).isFalse();
    }

    @Test
    void readsBindAndReadOnlyAndLetsLaterOptionsWin() {
        MountOptions ro = MountOptions.parse(List.of("ro", "rbind"));
        assertThat(ro.bind()).isTrue();
        assertThat(ro.readOnly()).isTrue();
        assertThat(ro.flags() & Syscalls.MS_REC).isNotZero();
        assertThat(MountOptions.parse(List.of("ro", "rw")).readOnly()).isFalse();
    }
}
