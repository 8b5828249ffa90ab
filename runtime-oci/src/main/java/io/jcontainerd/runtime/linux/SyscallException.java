package io.jcontainerd.runtime.linux;

import io.jcontainerd.runtime.JruncException;

/** A failed system call: the call, its subject and errno. */
public final class SyscallException extends JruncException {
    private final int errno;

    public SyscallException(String call, String subject, int errno) {
        // concatenation, not String.format: the init stage meets expected errors (ENOENT of a directory it then
        // makes) on its usual path, and the first format initialises Formatter, regex and locale data (ms per JVM)
        super(Kind.SYSTEM, call + " " + subject + ": " + Errno.describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() { return errno; }
}
