package io.jcontainerd.supervisor.docker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An InputStream over a sequence of byte arrays as they come (Content read responses, a connection's
 * reads): this keeps the place in the current one; a subclass says where the next comes from.
 */
public abstract class ChunkedInputStream extends InputStream {
    private byte[] current = new byte[0];
    private int pos;

    /** The next bytes, waiting for them if need be (an empty array is passed over); null at the end. */
    protected abstract byte[] nextChunk() throws IOException;

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (pos >= current.length) {
            byte[] next = nextChunk();
            if (next == null) {
                return -1;
            }
            current = next;
            pos = 0;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }
}
