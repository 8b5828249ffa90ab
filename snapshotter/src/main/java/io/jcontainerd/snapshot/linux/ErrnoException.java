package io.jcontainerd.snapshot.linux;

import java.io.IOException;

/** A failed system call: which call, on what, and errno. */
public final class ErrnoException extends IOException {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;

    private final int errno;

    public ErrnoException(String call, String subject, int errno) {
        super(call + " " + subject + ": " + LinuxSyscalls.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
