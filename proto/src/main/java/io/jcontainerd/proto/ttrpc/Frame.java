package io.jcontainerd.proto.ttrpc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One ttrpc message frame: a 10-byte header (data length and stream id, big-endian unsigned 32-bit;
 * message type; flags) and the data. Data longer than {@link #MAX_DATA} (4 MiB, ttrpc's limit) is
 * refused both ways, so a peer can make us hold at most that much per frame.
 */
public record Frame(int streamId, byte type, byte flags, byte[] data) {
    public static final byte REQUEST = 1;
    public static final byte RESPONSE = 2;
    public static final byte DATA = 3;
    public static final int MAX_DATA = 4 << 20;
    static final int HEADER = 10;

    /**
     * Reads the next frame; null at a clean end of stream (between frames).
     *
     * @throws IOException on a read error, a stream cut inside a frame, or a length above {@link #MAX_DATA}
     */
    static Frame read(ReadableByteChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        if (!fill(channel, header, true)) {
            return null;
        }
        header.flip();
        long length = Integer.toUnsignedLong(header.getInt());
        int streamId = header.getInt();
        byte type = header.get();
        byte flags = header.get();
        if (length > MAX_DATA) {
            throw new IOException("a ttrpc frame of stream " + Integer.toUnsignedString(streamId) + " announces " + length
                    + " bytes of data, more than the " + MAX_DATA + " allowed");
        }
        ByteBuffer data = ByteBuffer.allocate((int) length);
        fill(channel, data, false);
        return new Frame(streamId, type, flags, data.array());
    }

    /** Writes this frame whole (the caller keeps frames of different threads apart). */
    void write(WritableByteChannel channel) throws IOException {
        if (data.length > MAX_DATA) {
            throw new IOException("a ttrpc message of " + data.length + " bytes is more than the " + MAX_DATA + " a frame may carry");
        }
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + data.length);
        buffer.putInt(data.length).putInt(streamId).put(type).put(flags).put(data).flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads until {@code buffer} is full; false if the stream ended before its first byte and that is allowed. */
    private static boolean fill(ReadableByteChannel channel, ByteBuffer buffer, boolean endAllowed) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("the ttrpc connection ended inside a frame (" + buffer.position() + " of "
                        + buffer.limit() + " bytes read)");
            }
        }
        return true;
    }
}
