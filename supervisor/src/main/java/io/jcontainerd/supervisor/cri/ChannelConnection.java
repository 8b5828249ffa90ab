package io.jcontainerd.supervisor.cri;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection of the streaming server speaking Kubernetes' channel framing
 * ({@code v4.channel.k8s.io}, {@code v5.channel.k8s.io}, and the port-forward pairs): every binary
 * message starts with its channel's number. Sends block until the frame is written to the socket
 * (at most {@link #SEND_TIMEOUT_SECONDS}), so a client that stops reading holds back the process's
 * output instead of making the daemon buffer it; inbound data goes to {@link InboundPipe}s that
 * stop the connection's reads while they hold more than their bound.
 */
class ChannelConnection {
    /** v5's message closing one stream (client to server): {255, channel}. */
    static final int STREAM_CLOSE = 255;
    static final int SEND_TIMEOUT_SECONDS = 60;
    protected final Channel channel;
    private final String protocol;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Set<InboundPipe> full = new HashSet<>();
    /** What the client sent before {@link #start}, handed on then: event loop only. */
    private final List<Object[]> early = new ArrayList<>();
    private long earlyBytes;
    private volatile Listener listener;

    /** What the client sends, delivered on the connection's event loop (must not block). */
    interface Listener {
        void data(int channel, byte[] data);

        /** v5: the client closed its end of {@code channel} (stdin). */
        void streamClosed(int channel);

        /** The connection is gone (either side). */
        void closed();
    }

    ChannelConnection(Channel channel, String protocol) {
        this.channel = channel;
        this.protocol = protocol;
    }

    String protocol() {
        return protocol;
    }

    boolean isV5() {
        return protocol.startsWith("v5.");
    }

    /** The handler that takes the connection's frames (added to its pipeline at the upgrade). */
    SimpleChannelInboundHandler<WebSocketFrame> handler() {
        return new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                switch (frame) {
                    case BinaryWebSocketFrame b -> binary(b.content());
                    case CloseWebSocketFrame c -> ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(f -> ctx.close());
                    case PingWebSocketFrame p -> ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
                    default -> {
                        // text frames belong to the base64 protocols, not served; pongs need nothing
                    }
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                gone();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        };
    }

    /** The connection is gone: the listener hears it once. */
    protected final void gone() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        Listener l = listener;
        if (l != null) {
            l.closed();
        }
    }

    /** Hands the client's data on {@code ch} to the listener (kept until there is one; on the event loop). */
    protected final void deliver(int ch, byte[] data) {
        Listener l = listener;
        if (l != null) {
            l.data(ch, data);
            return;
        }
        early.add(new Object[]{ch, data});
        earlyBytes += data.length;
        if (earlyBytes > InboundPipe.LIMIT) {
            channel.config().setAutoRead(false); // start() reads on
        }
    }

    protected final void deliverStreamClosed(int ch) {
        Listener l = listener;
        if (l != null) {
            l.streamClosed(ch);
            return;
        }
        early.add(new Object[]{ch, null});
    }

    private void binary(ByteBuf content) {
        if (content.readableBytes() == 0) {
            return;
        }
        int ch = content.readUnsignedByte();
        if (ch == STREAM_CLOSE && isV5()) {
            if (content.readableBytes() > 0) {
                deliverStreamClosed(content.readUnsignedByte());
            }
            return;
        }
        byte[] data = new byte[content.readableBytes()];
        content.readBytes(data);
        deliver(ch, data);
    }

    /** Starts delivering the client's messages to {@code l}: first what came early, then the rest. */
    void start(Listener l) {
        channel.eventLoop().execute(() -> {
            for (Object[] e : early) {
                if (e[1] == null) {
                    l.streamClosed((Integer) e[0]);
                } else {
                    l.data((Integer) e[0], (byte[]) e[1]);
                }
            }
            early.clear();
            listener = l;
            if (closed.getCount() == 0 || !channel.isActive()) {
                closed.countDown();
                l.closed();
                return;
            }
            channel.config().setAutoRead(true);
            channel.read();
        });
    }

    /** The message carrying {@code data} on {@code ch}; null: the client opened no such stream (dropped). */
    protected Object frame(int ch, byte[] data, int off, int len) {
        ByteBuf buf = Unpooled.buffer(len + 1);
        buf.writeByte(ch);
        buf.writeBytes(data, off, len);
        return new BinaryWebSocketFrame(buf);
    }

    /** Sends {@code data} on {@code ch}; blocks until written. */
    void send(int ch, byte[] data, int off, int len) throws IOException {
        Object frame = frame(ch, data, off, len);
        if (frame == null) {
            return;
        }
        ChannelFuture f = channel.writeAndFlush(frame);
        if (!f.awaitUninterruptibly(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            channel.close();
            throw new IOException("the client read nothing for " + SEND_TIMEOUT_SECONDS + " s: connection closed");
        }
        if (!f.isSuccess()) {
            throw new IOException("the connection is gone: " + f.cause());
        }
    }

    void send(int ch, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        send(ch, b, 0, b.length);
    }

    /** Ends the connection with a normal close. */
    void close() {
        if (channel.isActive()) {
            sendClose();
        }
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    protected void sendClose() {
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "")).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    boolean isOpen() {
        return channel.isActive();
    }

    boolean awaitClosed(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    /** An inbound pipe holds more than its bound: stop reading the client until it drains. */
    void full(InboundPipe pipe, boolean isFull) {
        boolean read;
        synchronized (full) {
            if (isFull) {
                full.add(pipe);
            } else {
                full.remove(pipe);
            }
            read = full.isEmpty();
        }
        channel.config().setAutoRead(read);
    }
}
