package io.jcontainerd.snapshot.apply.tar;

import java.util.Map;

/**
 * One tar entry after PAX and GNU extension headers have been folded into it.
 *
 * @param name     the path as written in the archive (not yet cleaned)
 * @param mode     permission bits including setuid, setgid and sticky (07777)
 * @param linkName the target of a symlink or hardlink, "" otherwise
 * @param xattrs   extended attributes from PAX {@code SCHILY.xattr.*} records, values as raw bytes
 */
public record TarEntry(String name, Type type, int mode, int uid, int gid, long size,
                       long mtimeSeconds, int mtimeNanos, String linkName, int devMajor, int devMinor,
                       Map<String, byte[]> xattrs) {

    public enum Type { FILE, DIR, SYMLINK, HARDLINK, CHAR, BLOCK, FIFO }
}
