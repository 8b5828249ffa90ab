package io.jcontainerd.runtime.linux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyscallExceptionTest {
    @Test
    void aSyscallErrorSaysTheCallItsSubjectAndTheErrno() {
        assertThat(new SyscallException("mount", "proc on /proc", Errno.ENOENT))
                .hasMessage("mount proc on /proc: no such file or directory (errno 2)");
        assertThat(new SyscallException("setns", "fd 7", 95).errno()).isEqualTo(95);
    }
}
