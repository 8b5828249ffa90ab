package io.jcontainerd.snapshot.apply.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes tar streams in the format containerd's differ produces: ustar headers, PAX records for
 * long names and xattrs (raw bytes, so binary security.capability survives), times in whole
 * seconds. The counterpart of {@link TarReader}.
 */
public final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;

    private final OutputStream out;
    private final byte[] copyBuffer = new byte[128 * 1024];

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes the header of {@code e}; for a regular file, then exactly {@code e.size()} bytes from {@code content}. */
    public void write(TarEntry e, InputStream content) throws IOException {
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        byte[] link = e.linkName().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        if (name.length > 100) {
            pax.writeBytes(record("path", name));
        }
        if (link.length > 100) {
            pax.writeBytes(record("linkpath", link));
        }
        if (e.uid() > 07777777 || e.gid() > 07777777) {
            pax.writeBytes(record("uid", Integer.toUnsignedString(e.uid()).getBytes(StandardCharsets.US_ASCII)));
            pax.writeBytes(record("gid", Integer.toUnsignedString(e.gid()).getBytes(StandardCharsets.US_ASCII)));
        }
        if (e.size() > 077777777777L) {
            pax.writeBytes(record("size", Long.toString(e.size()).getBytes(StandardCharsets.US_ASCII)));
        }
        for (Map.Entry<String, byte[]> x : new java.util.TreeMap<>(e.xattrs()).entrySet()) {
            pax.writeBytes(record("SCHILY.xattr." + x.getKey(), x.getValue()));
        }
        if (pax.size() > 0) {
            byte[] records = pax.toByteArray();
            header(cut(("PaxHeaders.0/" + e.name()).getBytes(StandardCharsets.UTF_8)), 'x', 0644, 0, 0, records.length, e.mtimeSeconds(),
                    new byte[0], 0, 0);
            out.write(records);
            pad(records.length);
        }
        char type = switch (e.type()) {
            case FILE -> '0';
            case HARDLINK -> '1';
            case SYMLINK -> '2';
            case CHAR -> '3';
            case BLOCK -> '4';
            case DIR -> '5';
            case FIFO -> '6';
        };
        long size = e.type() == TarEntry.Type.FILE ? e.size() : 0;
        header(cut(name), type, e.mode(), e.uid(), e.gid(), size, e.mtimeSeconds(), cut(link), e.devMajor(), e.devMinor());
        if (size > 0) {
            long left = size;
            while (left > 0) {
                int n = content.read(copyBuffer, 0, (int) Math.min(copyBuffer.length, left));
                if (n < 0) {
                    throw new IOException("file " + e.name() + " shrank while it was being archived (" + left + " bytes missing)");
                }
                out.write(copyBuffer, 0, n);
                left -= n;
            }
            pad(size);
        }
    }

    /** Writes the end-of-archive marker (two zero blocks); does not close the underlying stream. */
    @Override
    public void close() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private void header(byte[] name, char type, int mode, int uid, int gid, long size, long mtime, byte[] link, int major, int minor)
            throws IOException {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, Math.min(uid & 0xffffffffL, 07777777));
        octal(h, 116, 8, Math.min(gid & 0xffffffffL, 07777777));
        octal(h, 124, 12, Math.min(size, 077777777777L));
        octal(h, 136, 12, Math.max(0, Math.min(mtime, 077777777777L)));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, link.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        octal(h, 329, 8, major);
        octal(h, 337, 8, minor);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 8);
        out.write(h);
    }

    private void pad(long size) throws IOException {
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (pad > 0) {
            out.write(new byte[pad]);
        }
    }

    private static byte[] cut(byte[] b) {
        return b.length <= 100 ? b : Arrays.copyOf(b, 100);
    }

    private static void octal(byte[] h, int off, int len, long v) {
        byte[] s = String.format("%0" + (len - 1) + "o", v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private static byte[] record(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int body = 1 + k.length + 1 + value.length + 1;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) {
            len++;
        }
        ByteArrayOutputStream r = new ByteArrayOutputStream(len);
        r.writeBytes((len + " " + key + "=").getBytes(StandardCharsets.UTF_8));
        r.writeBytes(value);
        r.write('\n');
        return r.toByteArray();
    }
}
