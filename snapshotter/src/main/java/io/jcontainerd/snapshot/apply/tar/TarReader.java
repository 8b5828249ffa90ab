package io.jcontainerd.snapshot.apply.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A streaming reader of the tar formats layers use: ustar, GNU (long names 'L' and 'K', base-256
 * numbers) and PAX ('x' records: path, linkpath, size, uid, gid, mtime, SCHILY.xattr.*).
 *
 * <p>Our own rather than commons-compress's TarArchiveInputStream because that one decodes PAX
 * values as UTF-8 text, which destroys binary xattr values such as security.capability. Global
 * PAX headers ('g') are skipped as containerd does; sparse files are refused with a clear error.
 *
 * <p>Bounded like Go's archive/tar: a PAX header, GNU long name or long link name holds at most
 * {@value #MAX_SPECIAL_FILE} bytes; a PAX header replaces (not merges with) one before it for the same
 * entry; negative or overflowing sizes and numbers are refused. Every malformed archive is a
 * {@link TarFormatException} naming what was wrong.
 */
public final class TarReader {
    /** Go's archive/tar maxSpecialFileSize: 1 MiB per PAX header, GNU long name or long link name. */
    static final int MAX_SPECIAL_FILE = 1 << 20;
    private static final int BLOCK = 512;
    private static final String XATTR_PREFIX = "SCHILY.xattr.";

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private long remaining;   // unread content bytes of the current entry
    private long padding;     // bytes after the content up to the next block
    private String current = "";

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous entry is skipped. */
    public TarEntry next() throws IOException {
        skipCurrent();
        String longName = null;
        String longLink = null;
        Map<String, byte[]> pax = Map.of();
        while (true) {
            if (!readBlock()) {
                return null; // EOF on a block boundary: accepted as the end, like Go's archive/tar
            }
            if (isZero(header)) {
                return null; // the end-of-archive marker; the caller drains what follows
            }
            verifyChecksum();
            char type = (char) (header[156] & 0xff);
            long size = number(124, 12, "size");
            if (size < 0) {
                throw new TarFormatException("header " + after() + " has a negative size " + size + ": the layer is corrupt");
            }
            switch (type) {
                case 'x' -> pax = parsePax(readSmall(size, "PAX header")); // replaces an earlier one, as Go's archive/tar
                case 'g' -> {
                    // skipped, as containerd skips it; like Go's reader it ends the extension headers read so far
                    readSmall(size, "global PAX header");
                    pax = Map.of();
                    longName = null;
                    longLink = null;
                }
                case 'L' -> longName = cString(readSmall(size, "GNU long name"));
                case 'K' -> longLink = cString(readSmall(size, "GNU long link name"));
                default -> {
                    return entry(type, size, longName, longLink, pax);
                }
            }
        }
    }

    /** Reads content of the current entry; -1 at its end. */
    public int read(byte[] buf, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new TarFormatException("archive ends in the middle of the content of " + current
                    + " (" + remaining + " bytes missing): the layer is truncated");
        }
        remaining -= n;
        return n;
    }

    /** Content bytes of the current entry not read yet. */
    public long remaining() {
        return remaining;
    }

    private TarEntry entry(char type, long size, String longName, String longLink, Map<String, byte[]> pax) throws IOException {
        String name = longName != null ? longName : ustarName();
        String link = longLink != null ? longLink : string(157, 100);
        if (pax.containsKey("path")) {
            name = utf8(pax.get("path"));
        }
        if (pax.containsKey("linkpath")) {
            link = utf8(pax.get("linkpath"));
        }
        current = name;
        if (pax.containsKey("size")) {
            size = paxNumber(pax, "size");
            if (size < 0) {
                throw new TarFormatException("entry " + name + ": PAX size " + size + " is negative");
            }
        }
        int uid = id(name, "uid", pax.containsKey("uid") ? paxNumber(pax, "uid") : number(108, 8, "uid"));
        int gid = id(name, "gid", pax.containsKey("gid") ? paxNumber(pax, "gid") : number(116, 8, "gid"));
        long mtime = number(136, 12, "mtime");
        int nanos = 0;
        if (pax.containsKey("mtime")) {
            String t = utf8(pax.get("mtime"));
            int dot = t.indexOf('.');
            try {
                mtime = Long.parseLong(dot < 0 ? t : t.substring(0, dot));
                if (dot >= 0) {
                    String frac = (t.substring(dot + 1) + "000000000").substring(0, 9);
                    if (!frac.chars().allMatch(c -> c >= '0' && c <= '9')) throw new NumberFormatException(frac);
                    nanos = Integer.parseInt(frac);
                }
            } catch (NumberFormatException e) {
                throw new TarFormatException("entry " + name + ": PAX mtime " + t + " is not a number");
            }
        }
        if (pax.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
            throw new TarFormatException("entry " + name + " is a sparse file, which layers do not use and this reader does not support");
        }
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        pax.forEach((k, v) -> {
            if (k.startsWith(XATTR_PREFIX)) {
                xattrs.put(k.substring(XATTR_PREFIX.length()), v);
            }
        });
        TarEntry.Type t = switch (type) {
            case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Type.DIR : TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR;
            case '4' -> TarEntry.Type.BLOCK;
            case '5' -> TarEntry.Type.DIR;
            case '6' -> TarEntry.Type.FIFO;
            case 'S' -> throw new TarFormatException("entry " + name + " is a GNU sparse file, which this reader does not support");
            default -> throw new TarFormatException("entry " + name + " has tar type '" + type + "', which a layer cannot hold");
        };
        // only regular files carry content: like Go's archive/tar, the size of other types is ignored
        long content = t == TarEntry.Type.FILE ? size : 0;
        remaining = content;
        padding = (BLOCK - content % BLOCK) % BLOCK;
        int mode = (int) (number(100, 8, "mode") & 07777);
        int major = t == TarEntry.Type.CHAR || t == TarEntry.Type.BLOCK ? id(name, "devmajor", number(329, 8, "devmajor")) : 0;
        int minor = t == TarEntry.Type.CHAR || t == TarEntry.Type.BLOCK ? id(name, "devminor", number(337, 8, "devminor")) : 0;
        if (t != TarEntry.Type.FILE) {
            size = 0;
        }
        return new TarEntry(name, t, mode, uid, gid, size, mtime, nanos, link, major, minor, xattrs);
    }

    /** An owner or device number: 0 to 2^32-1, kept in an int as the kernel's unsigned 32 bits. */
    private static int id(String name, String field, long v) throws TarFormatException {
        if (v < 0 || v > 0xffff_ffffL) {
            throw new TarFormatException("entry " + name + ": " + field + " " + v + " is outside 0.." + 0xffff_ffffL);
        }
        return (int) v;
    }

    /** Where in the archive: "after entry NAME", or "at the start of the archive" before the first entry. */
    private String after() {
        return current.isEmpty() ? "at the start of the archive" : "after entry " + current;
    }

    private String ustarName() {
        String name = string(0, 100);
        // the ustar prefix field; GNU tar ("ustar  \0") keeps other fields there
        boolean ustar = header[257] == 'u' && header[262] == 0 && header[263] == '0';
        if (ustar && header[345] != 0) {
            return string(345, 155) + "/" + name;
        }
        return name;
    }

    private void skipCurrent() throws IOException {
        long skip = remaining + padding;
        remaining = 0;
        padding = 0;
        while (skip > 0) {
            long n = in.skip(skip);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new TarFormatException("archive ends in the middle of " + current + ": the layer is truncated");
                }
                n = 1;
            }
            skip -= n;
        }
    }

    private boolean readBlock() throws IOException {
        int off = 0;
        while (off < BLOCK) {
            int n = in.read(header, off, BLOCK - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new TarFormatException("archive ends in the middle of a header " + after() + ": the layer is truncated");
            }
            off += n;
        }
        return true;
    }

    private byte[] readSmall(long size, String what) throws IOException {
        if (size > MAX_SPECIAL_FILE) {
            throw new TarFormatException(what + " " + after() + " is " + size + " bytes, more than the "
                    + MAX_SPECIAL_FILE + " allowed (as Go's archive/tar): the layer is corrupt or hostile");
        }
        byte[] data = new byte[(int) size];
        int off = 0;
        while (off < data.length) {
            int n = in.read(data, off, data.length - off);
            if (n < 0) {
                throw new TarFormatException(what + " " + after() + " is truncated: the layer is truncated");
            }
            off += n;
        }
        padding = (BLOCK - size % BLOCK) % BLOCK;
        remaining = 0;
        skipCurrent();
        return data;
    }

    private Map<String, byte[]> parsePax(byte[] data) throws TarFormatException {
        Map<String, byte[]> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            long length;
            try {
                length = Long.parseLong(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new TarFormatException("malformed PAX record " + after() + ": its length is not a number");
            }
            if (length <= space - pos || pos + length > data.length || data[(int) (pos + length) - 1] != '\n') {
                throw new TarFormatException("malformed PAX record " + after() + ": its length " + length
                        + " does not end at a newline inside the header");
            }
            int end = (int) (pos + length);
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new TarFormatException("PAX record without '=' " + after());
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            if (key.isEmpty() || key.indexOf('\0') >= 0) {
                throw new TarFormatException("PAX record with an empty key or a NUL in its key " + after());
            }
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
            if ((key.equals("path") || key.equals("linkpath")) && indexOf(value, (byte) 0) >= 0) {
                throw new TarFormatException("PAX " + key + " with a NUL byte " + after());
            }
            out.put(key, value);
            pos = end;
        }
        return out;
    }

    private static int indexOf(byte[] a, byte b) {
        for (int k = 0; k < a.length; k++) if (a[k] == b) return k;
        return -1;
    }

    private long paxNumber(Map<String, byte[]> pax, String key) throws TarFormatException {
        String v = utf8(pax.get(key));
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new TarFormatException("entry " + current + ": PAX " + key + " " + v + " is not a number");
        }
    }

    private long number(int off, int len, String field) throws TarFormatException {
        if ((header[off] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement, first byte's high bit is the marker
            long v = header[off] & 0x7f;
            if ((v & 0x40) != 0) {
                v |= ~0x7fL; // negative
            }
            for (int i = 1; i < len; i++) {
                if (v > Long.MAX_VALUE >> 8 || v < Long.MIN_VALUE >> 8) {
                    throw new TarFormatException("header " + after() + ": field " + field + " overflows 64 bits");
                }
                v = (v << 8) | (header[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
            int d = header[i] - '0';
            if (d < 0 || d > 7) {
                throw new TarFormatException("header " + after() + ": field " + field + " is not an octal number");
            }
            v = (v << 3) | d;
        }
        return v;
    }

    private void verifyChecksum() throws TarFormatException {
        long expected = number(148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += b & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : header[i];
        }
        if (expected != unsigned && expected != signed) {
            throw new TarFormatException("header " + after() + " has a bad checksum: the layer is corrupt or not a tar archive");
        }
    }

    private String string(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) {
            end++;
        }
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] v) {
        return new String(v, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
