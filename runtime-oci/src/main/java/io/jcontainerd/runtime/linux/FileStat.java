package io.jcontainerd.runtime.linux;

/** What fstatat(2) says about a file that decides how it may be used: its type and mode, and the device it is. */
public record FileStat(int mode, long rdev) {
    public static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;

    public boolean isDirectory() { return (mode & S_IFMT) == S_IFDIR; }
    public boolean isCharDevice() { return (mode & S_IFMT) == S_IFCHR; }

    /** major(3) of glibc: the 12 low bits at 8..19 and the rest above bit 32. */
    public long major() { return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL); }
    public long minor() { return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL); }

    /** "a regular file", "a directory", "character device 1:3", ... for error messages. */
    public String describe() {
        return switch (mode & S_IFMT) {
            case S_IFDIR -> "a directory";
            case S_IFREG -> "a regular file";
            case S_IFLNK -> "a symlink";
            case S_IFCHR -> "character device " + major() + ":" + minor();
            case 0060000 -> "block device " + major() + ":" + minor();
            case 0010000 -> "a fifo";
            case 0140000 -> "a socket";
            default -> "a file of type 0" + Integer.toOctalString(mode & S_IFMT);
        };
    }
}
