package io.jcontainerd.ctr.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client HTTP/2 connection (RFC 9113, prior knowledge, no TLS) over a connected blocking socket:
 * what jctr's gRPC calls need and nothing else. One reader thread parses the frames and hands each
 * stream's headers and data to its {@link StreamListener}; writers take one lock per frame (a header
 * block's frames go out together). Flow control both ways: our sends wait for the peer's windows,
 * and a stream's window is opened again only as its listener {@linkplain #consumed consumes} data.
 *
 * <p>This replaced grpc-netty in jctr: netty's event loop, allocator and the 670 classes of its
 * channel were about two thirds of a jctr run's CPU (README, "Performance").
 */
final class Http2Connection implements AutoCloseable {
    /** What a stream's owner is told; called on the reader thread, one stream's calls in order. */
    interface StreamListener {
        void onHeaders(List<Hpack.Field> fields, boolean endStream);

        void onData(byte[] data, int off, int len, boolean endStream);

        /** The peer reset the stream (RST_STREAM) with this HTTP/2 error code. */
        void onReset(int errorCode);

        /** The connection is gone or refused the stream; {@code why} says which. */
        void onFailed(String why);
    }

    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PUSH_PROMISE = 5, PING = 6,
            GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
    static final int NO_ERROR = 0, PROTOCOL_ERROR = 1, CANCEL = 8;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The largest frame we accept: SETTINGS_MAX_FRAME_SIZE left at its default. */
    private static final int MAX_FRAME = 16384;
    /** Our window per stream (SETTINGS_INITIAL_WINDOW_SIZE) and, raised at start, for the connection. */
    private static final int STREAM_WINDOW = 1 << 20;
    private static final int CONNECTION_WINDOW = 1 << 30;

    private final SocketChannel socket;
    private final Object writeLock = new Object();
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final Hpack.Decoder decoder = new Hpack.Decoder();
    private final ByteBuffer in = ByteBuffer.allocate(64 << 10).flip();
    private final ByteBuffer header = ByteBuffer.allocate(9);
    // guarded by writeLock
    private int nextStreamId = 1;
    private long sendWindow = 65535;
    private int peerStreamWindow = 65535;
    private int peerMaxFrame = 16384;
    private String failure;
    private int goAwayLastStream = Integer.MAX_VALUE;
    // reader thread only
    private long received;

    private static final class Stream {
        final StreamListener listener;
        long sendWindow;

        Stream(StreamListener listener, long sendWindow) {
            this.listener = listener;
            this.sendWindow = sendWindow;
        }
    }

    private Http2Connection(SocketChannel socket) {
        this.socket = socket;
    }

    /** Sends the preface and our settings on {@code socket} and starts reading. */
    static Http2Connection start(SocketChannel socket) throws IOException {
        Http2Connection c = new Http2Connection(socket);
        ByteBuffer settings = ByteBuffer.allocate(18)
                .putShort((short) 0x2).putInt(0)                       // ENABLE_PUSH: no
                .putShort((short) 0x4).putInt(STREAM_WINDOW)           // INITIAL_WINDOW_SIZE
                .putShort((short) 0x6).putInt(Hpack.MAX_HEADER_LIST); // MAX_HEADER_LIST_SIZE
        synchronized (c.writeLock) {
            c.writeFully(ByteBuffer.wrap(PREFACE));
            c.writeFrame(SETTINGS, 0, 0, settings.array(), 0, 18);
            c.writeWindowUpdate(0, CONNECTION_WINDOW - 65535);
        }
        Thread.ofPlatform().daemon().name("jctr-http2-reader").start(c::readLoop);
        return c;
    }

    /** Opens a stream: sends its header block; the listener hears of everything the peer sends on it. */
    int openStream(List<Hpack.Field> fields, boolean endStream, StreamListener listener) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream(256);
        for (Hpack.Field f : fields) {
            Hpack.encode(block, f.name(), f.value());
        }
        byte[] b = block.toByteArray();
        synchronized (writeLock) {
            if (failure != null) {
                throw new IOException(failure);
            }
            int id = nextStreamId;
            if (id < 0 || id > goAwayLastStream) {
                throw new IOException("the daemon is closing this connection (GOAWAY)");
            }
            nextStreamId += 2;
            streams.put(id, new Stream(listener, peerStreamWindow));
            int n = Math.min(b.length, peerMaxFrame);
            writeFrame(HEADERS, (endStream ? END_STREAM : 0) | (n == b.length ? END_HEADERS : 0), id, b, 0, n);
            for (int off = n; off < b.length; off += n) {
                n = Math.min(b.length - off, peerMaxFrame);
                writeFrame(CONTINUATION, off + n == b.length ? END_HEADERS : 0, id, b, off, n);
            }
            return id;
        }
    }

    /**
     * Sends {@code data} on a stream, in frames the peer accepts, waiting for its flow-control windows;
     * nothing if the stream has ended meanwhile.
     */
    void sendData(int id, byte[] data, boolean endStream) throws IOException {
        synchronized (writeLock) {
            int off = 0;
            do {
                Stream s = streams.get(id);
                if (s == null) {
                    return;
                }
                int n = Math.min(data.length - off, peerMaxFrame);
                while (n > 0 && (sendWindow <= 0 || s.sendWindow <= 0)) {
                    if (failure != null) {
                        throw new IOException(failure);
                    }
                    try {
                        writeLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted waiting for the daemon's flow-control window");
                    }
                    if (streams.get(id) != s) {
                        return;
                    }
                }
                n = (int) Math.min(n, Math.min(sendWindow, s.sendWindow));
                boolean last = off + n == data.length;
                writeFrame(DATA, endStream && last ? END_STREAM : 0, id, data, off, n);
                sendWindow -= n;
                s.sendWindow -= n;
                off += n;
            } while (off < data.length);
        }
    }

    /** Ends a stream from our side (RST_STREAM); its listener hears nothing more. */
    void reset(int id, int errorCode) {
        if (streams.remove(id) == null) {
            return;
        }
        try {
            synchronized (writeLock) {
                if (failure == null) {
                    writeFrame(RST_STREAM, 0, id, ByteBuffer.allocate(4).putInt(errorCode).array(), 0, 4);
                }
            }
        } catch (IOException e) {
            // the connection is failing: the reader tells every stream
        }
    }

    /** The stream's listener has taken {@code n} bytes of its data: the peer may send that much more. */
    void consumed(int id, int n) {
        if (n <= 0 || !streams.containsKey(id)) {
            return;
        }
        try {
            synchronized (writeLock) {
                if (failure == null) {
                    writeWindowUpdate(id, n);
                }
            }
        } catch (IOException e) {
            // as in reset
        }
    }

    /** Tells the peer we are done (GOAWAY) and closes the socket; open streams fail. */
    @Override
    public void close() {
        synchronized (writeLock) {
            if (failure == null) {
                try {
                    writeFrame(GOAWAY, 0, 0, new byte[8], 0, 8);
                } catch (IOException e) {
                    // closing anyway
                }
                failure = "the connection was closed";
            }
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private void readLoop() {
        String why;
        try {
            while (true) {
                readFrame();
            }
        } catch (ProtocolException e) {
            why = "protocol error from the daemon: " + e.getMessage();
            synchronized (writeLock) {
                if (failure == null) {
                    try {
                        byte[] goAway = ByteBuffer.allocate(8).putInt(0).putInt(PROTOCOL_ERROR).array();
                        writeFrame(GOAWAY, 0, 0, goAway, 0, 8);
                    } catch (IOException ignored) {
                        // failing anyway
                    }
                }
            }
        } catch (IOException e) {
            why = "connection to the daemon lost: " + (e.getMessage() == null ? e.toString() : e.getMessage());
        }
        synchronized (writeLock) {
            if (failure == null) {
                failure = why;
            } else {
                why = failure;
            }
            writeLock.notifyAll();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed
        }
        for (Integer id : new ArrayList<>(streams.keySet())) {
            Stream s = streams.remove(id);
            if (s != null) {
                s.listener.onFailed(why);
            }
        }
    }

    private void readFrame() throws IOException {
        fill(9);
        int len = ((in.get() & 0xff) << 16) | ((in.get() & 0xff) << 8) | (in.get() & 0xff);
        int type = in.get() & 0xff;
        int flags = in.get() & 0xff;
        int id = in.getInt() & 0x7fffffff;
        if (len > MAX_FRAME) {
            throw new ProtocolException("a frame of " + len + " bytes exceeds our maximum of " + MAX_FRAME);
        }
        byte[] payload = new byte[len];
        fill(len);
        in.get(payload);
        switch (type) {
            case DATA -> onData(id, flags, payload);
            case HEADERS -> onHeaders(id, flags, payload);
            case RST_STREAM -> {
                need(id != 0 && len == 4, "RST_STREAM must be 4 bytes on a stream");
                Stream s = streams.remove(id);
                if (s != null) {
                    s.listener.onReset(ByteBuffer.wrap(payload).getInt());
                }
            }
            case SETTINGS -> onSettings(id, flags, payload);
            case PUSH_PROMISE -> throw new ProtocolException("PUSH_PROMISE, though our settings disable push");
            case PING -> {
                need(id == 0 && len == 8, "PING must be 8 bytes on stream 0");
                if ((flags & ACK) == 0) {
                    synchronized (writeLock) {
                        writeFrame(PING, ACK, 0, payload, 0, 8);
                    }
                }
            }
            case GOAWAY -> onGoAway(id, payload);
            case WINDOW_UPDATE -> {
                need(len == 4, "WINDOW_UPDATE must be 4 bytes");
                int increment = ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
                synchronized (writeLock) {
                    if (id == 0) {
                        sendWindow += increment;
                    } else {
                        Stream s = streams.get(id);
                        if (s != null) {
                            s.sendWindow += increment;
                        }
                    }
                    writeLock.notifyAll();
                }
            }
            case CONTINUATION -> throw new ProtocolException("CONTINUATION without a HEADERS frame before it");
            default -> {
                // PRIORITY and unknown types: nothing to do (RFC 9113 5.5)
            }
        }
    }

    private void onData(int id, int flags, byte[] payload) throws IOException {
        need(id != 0, "DATA on stream 0");
        received += payload.length;
        if (received >= CONNECTION_WINDOW / 2) {
            synchronized (writeLock) {
                writeWindowUpdate(0, (int) received);
            }
            received = 0;
        }
        int off = 0;
        int end = payload.length;
        if ((flags & PADDED) != 0) {
            need(end >= 1, "padded DATA without its pad length");
            off = 1;
            end -= payload[0] & 0xff;
            need(end >= off, "DATA padding longer than the frame");
        }
        Stream s = streams.get(id);
        if (s == null) {
            return; // a stream we reset: its data only counts against the connection window
        }
        boolean endStream = (flags & END_STREAM) != 0;
        if (endStream) {
            streams.remove(id);
        }
        // the padding is flow-controlled too: give it back at once
        if (payload.length - (end - off) > 0 && !endStream) {
            consumed(id, payload.length - (end - off));
        }
        s.listener.onData(payload, off, end - off, endStream);
    }

    private void onHeaders(int id, int flags, byte[] payload) throws IOException {
        need(id != 0, "HEADERS on stream 0");
        int off = 0;
        int end = payload.length;
        if ((flags & PADDED) != 0) {
            need(end >= 1, "padded HEADERS without its pad length");
            off = 1;
            end -= payload[0] & 0xff;
        }
        if ((flags & PRIORITY) != 0) {
            off += 5;
        }
        need(end >= off, "HEADERS shorter than its padding and priority");
        ByteArrayOutputStream block = new ByteArrayOutputStream(end - off);
        block.write(payload, off, end - off);
        int f = flags;
        while ((f & END_HEADERS) == 0) {
            fill(9);
            int len = ((in.get() & 0xff) << 16) | ((in.get() & 0xff) << 8) | (in.get() & 0xff);
            int type = in.get() & 0xff;
            f = in.get() & 0xff;
            int cid = in.getInt() & 0x7fffffff;
            need(type == CONTINUATION && cid == id, "a header block is interrupted by a frame of type " + type);
            need(len <= MAX_FRAME, "a frame of " + len + " bytes exceeds our maximum of " + MAX_FRAME);
            need(block.size() + len <= Hpack.MAX_HEADER_LIST, "a header block longer than " + Hpack.MAX_HEADER_LIST + " bytes");
            fill(len);
            byte[] more = new byte[len];
            in.get(more);
            block.writeBytes(more);
        }
        byte[] b = block.toByteArray();
        List<Hpack.Field> fields = decoder.decode(b, 0, b.length); // always: the table must follow every block
        boolean endStream = (flags & END_STREAM) != 0;
        Stream s = endStream ? streams.remove(id) : streams.get(id);
        if (s != null) {
            s.listener.onHeaders(fields, endStream);
        }
    }

    private void onSettings(int id, int flags, byte[] payload) throws IOException {
        need(id == 0, "SETTINGS on a stream");
        if ((flags & ACK) != 0) {
            need(payload.length == 0, "SETTINGS ACK with a payload");
            return;
        }
        need(payload.length % 6 == 0, "SETTINGS of " + payload.length + " bytes (not a multiple of 6)");
        ByteBuffer p = ByteBuffer.wrap(payload);
        synchronized (writeLock) {
            while (p.hasRemaining()) {
                int key = p.getShort() & 0xffff;
                int value = p.getInt();
                if (key == 0x4) {
                    need(value >= 0, "INITIAL_WINDOW_SIZE above 2^31-1");
                    int delta = value - peerStreamWindow;
                    peerStreamWindow = value;
                    for (Stream s : streams.values()) {
                        s.sendWindow += delta;
                    }
                } else if (key == 0x5) {
                    need(value >= 16384 && value <= 16777215, "MAX_FRAME_SIZE " + value + " outside 16384-16777215");
                    peerMaxFrame = value;
                }
                // HEADER_TABLE_SIZE: our encoder never indexes; MAX_CONCURRENT_STREAMS: jctr opens a few
            }
            writeFrame(SETTINGS, ACK, 0, payload, 0, 0);
            writeLock.notifyAll();
        }
    }

    private void onGoAway(int id, byte[] payload) throws IOException {
        need(id == 0 && payload.length >= 8, "GOAWAY must be 8+ bytes on stream 0");
        ByteBuffer p = ByteBuffer.wrap(payload);
        int last = p.getInt() & 0x7fffffff;
        int code = p.getInt();
        String debug = new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
        synchronized (writeLock) {
            goAwayLastStream = Math.min(goAwayLastStream, last);
        }
        String why = "the daemon closed the connection (GOAWAY, HTTP/2 error " + code
                + (debug.isEmpty() ? "" : ": " + debug) + ") before answering";
        for (Integer sid : new ArrayList<>(streams.keySet())) {
            if (sid > last) {
                Stream s = streams.remove(sid);
                if (s != null) {
                    s.listener.onFailed(why);
                }
            }
        }
    }

    private static void need(boolean ok, String what) throws ProtocolException {
        if (!ok) {
            throw new ProtocolException(what);
        }
    }

    /** Makes {@code n} bytes readable in {@link #in}. */
    private void fill(int n) throws IOException {
        if (in.remaining() >= n) {
            return;
        }
        in.compact();
        while (in.position() < n) {
            if (socket.read(in) < 0) {
                in.flip();
                throw new IOException("the daemon closed the connection");
            }
        }
        in.flip();
    }

    private void writeWindowUpdate(int id, int increment) throws IOException {
        writeFrame(WINDOW_UPDATE, 0, id, ByteBuffer.allocate(4).putInt(increment).array(), 0, 4);
    }

    /** Caller holds writeLock. */
    private void writeFrame(int type, int flags, int id, byte[] payload, int off, int len) throws IOException {
        header.clear();
        header.put((byte) (len >>> 16)).put((byte) (len >>> 8)).put((byte) len).put((byte) type).put((byte) flags).putInt(id);
        header.flip();
        ByteBuffer body = ByteBuffer.wrap(payload, off, len);
        while (header.hasRemaining() || body.hasRemaining()) {
            socket.write(new ByteBuffer[] {header, body});
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            socket.write(b);
        }
    }
}
