package io.jcontainerd.snapshot.apply;

import com.github.luben.zstd.ZstdOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar layers for tests, byte by byte (ustar headers, PAX records with raw binary values),
 * so tests can build exactly the malformed or hostile archives a real writer would refuse to.
 */
public final class TestLayer {
    public static final long MTIME = 1_700_000_000L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, byte[]> pendingPax = new LinkedHashMap<>();
    private int uid;
    private int gid;

    public static TestLayer tar() {
        return new TestLayer();
    }

    /** Owner of the entries added after this call (default 0:0). */
    public TestLayer owner(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    /** A PAX record for the next entry, e.g. {@code SCHILY.xattr.security.capability}. */
    public TestLayer pax(String key, byte[] value) {
        pendingPax.put(key, value);
        return this;
    }

    public TestLayer xattr(String name, byte[] value) {
        return pax("SCHILY.xattr." + name, value);
    }

    public TestLayer dir(String name, int mode) {
        return entry(name, '5', mode, new byte[0], "", 0, 0);
    }

    public TestLayer file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public TestLayer file(String name, byte[] content, int mode) {
        return entry(name, '0', mode, content, "", 0, 0);
    }

    public TestLayer symlink(String name, String target) {
        return entry(name, '2', 0777, new byte[0], target, 0, 0);
    }

    public TestLayer hardlink(String name, String target) {
        return entry(name, '1', 0644, new byte[0], target, 0, 0);
    }

    public TestLayer charDevice(String name, int major, int minor, int mode) {
        return entry(name, '3', mode, new byte[0], "", major, minor);
    }

    public TestLayer blockDevice(String name, int major, int minor, int mode) {
        return entry(name, '4', mode, new byte[0], "", major, minor);
    }

    public TestLayer fifo(String name, int mode) {
        return entry(name, '6', mode, new byte[0], "", 0, 0);
    }

    /** Raw bytes appended as they are (e.g. a header with a bad checksum). */
    public TestLayer raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    public TestLayer entry(String name, char type, int mode, byte[] content, String link, int major, int minor) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            pendingPax.put("path", nameBytes);
        }
        if (linkBytes.length > 100) {
            pendingPax.put("linkpath", linkBytes);
        }
        if (!pendingPax.isEmpty()) {
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            pendingPax.forEach((k, v) -> records.writeBytes(paxRecord(k, v)));
            pendingPax.clear();
            writeHeader(cut(("PaxHeaders/" + name).getBytes(StandardCharsets.UTF_8)), 'x', 0644, records.size(), new byte[0], 0, 0);
            writeContent(records.toByteArray());
        }
        writeHeader(cut(nameBytes), type, mode, content.length, cut(linkBytes), major, minor);
        writeContent(content);
        return this;
    }

    /** The uncompressed tar stream, with its end-of-archive marker. */
    public byte[] bytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(out.toByteArray());
        all.writeBytes(new byte[1024]);
        return all.toByteArray();
    }

    public byte[] gzip() {
        return compress(GZIPOutputStream::new);
    }

    public byte[] zstd() {
        return compress(ZstdOutputStream::new);
    }

    private interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private byte[] compress(Compressor c) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream z = c.wrap(buf)) {
            z.write(bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    private static byte[] cut(byte[] b) {
        return b.length <= 100 ? b : Arrays.copyOf(b, 100);
    }

    private static byte[] paxRecord(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int body = 1 + k.length + 1 + value.length + 1; // " key=value\n"
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) {
            len++;
        }
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes((len + " " + key + "=").getBytes(StandardCharsets.UTF_8));
        r.writeBytes(value);
        r.write('\n');
        return r.toByteArray();
    }

    private void writeHeader(byte[] name, char type, int mode, long size, byte[] link, int major, int minor) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, MTIME);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        octal(h, 329, 8, major);
        octal(h, 337, 8, minor);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(h);
    }

    private void writeContent(byte[] content) {
        out.writeBytes(content);
        int pad = (512 - content.length % 512) % 512;
        out.writeBytes(new byte[pad]);
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        System.arraycopy(v, 0, h, off, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        put(h, off, len, String.format("%0" + (len - 1) + "o\0", v).getBytes(StandardCharsets.US_ASCII));
    }
}
