package io.jcontainerd.runtime.linux;

import io.jcontainerd.runtime.JruncException;

/** A failed system call: the call, its subject and errno. */
public final class SyscallException extends JruncException {
    private final int errno;

    public SyscallException(String call, String subject, int errno) {
        super(Kind.SYSTEM, "%s %s: %s (errno %d)".formatted(call, subject, Errno.describe(errno), errno));
        this.errno = errno;
    }

    public int errno() { return errno; }
}
