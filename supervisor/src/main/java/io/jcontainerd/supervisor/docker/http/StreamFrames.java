package io.jcontainerd.supervisor.docker.http;

/**
 * Docker's multiplexed stream format (attach, exec and logs without a TTY): each payload is
 * preceded by 8 bytes, {@code [stream, 0, 0, 0, length as uint32 big-endian]}, stream 0 stdin,
 * 1 stdout, 2 stderr. With a TTY the bytes go raw, unframed.
 */
public final class StreamFrames {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;

    private StreamFrames() {
    }

    /** One frame holding {@code length} bytes of {@code data} from {@code offset}. */
    public static byte[] frame(int stream, byte[] data, int offset, int length) {
        byte[] out = new byte[8 + length];
        out[0] = (byte) stream;
        out[4] = (byte) (length >>> 24);
        out[5] = (byte) (length >>> 16);
        out[6] = (byte) (length >>> 8);
        out[7] = (byte) length;
        System.arraycopy(data, offset, out, 8, length);
        return out;
    }

    public static byte[] frame(int stream, byte[] data) {
        return frame(stream, data, 0, data.length);
    }

    /** The bytes to send for a chunk of output: a frame, or the bytes themselves with a TTY. */
    public static byte[] encode(boolean tty, int stream, byte[] data) {
        return tty ? data : frame(stream, data);
    }
}
