package io.jcontainerd.runtime.linux;

/** Names for the errno values jrunc reports most. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11,
            EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EINVAL = 22, EROFS = 30, ETXTBSY = 26, ENOSYS = 38, ELOOP = 40;

    private Errno() {}

    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such file or directory";
            case ESRCH -> "no such process";
            case EINTR -> "interrupted";
            case EBADF -> "bad file descriptor";
            case ECHILD -> "no child process";
            case EAGAIN -> "resource temporarily unavailable";
            case EACCES -> "permission denied";
            case EBUSY -> "device or resource busy";
            case EEXIST -> "file exists";
            case ENOTDIR -> "not a directory";
            case EINVAL -> "invalid argument";
            case ETXTBSY -> "text file busy";
            case EROFS -> "read-only file system";
            case ENOSYS -> "function not implemented";
            case ELOOP -> "too many levels of symbolic links";
            default -> "errno " + errno;
        };
    }
}
