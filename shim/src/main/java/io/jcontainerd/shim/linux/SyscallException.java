package io.jcontainerd.shim.linux;

/** A failed system call: which call, on what, and the errno it returned. */
public final class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SyscallException(String call, String subject, int errno) {
        super(call + "(" + subject + ") failed: " + LinuxShimSyscalls.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
