package io.jcontainerd.supervisor.docker.http;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslCloseCompletionEvent;

import io.jcontainerd.supervisor.docker.ChunkedInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A hijacked connection: what the server writes goes to the client as it is, what the client
 * sends (its stdin) is read through {@link #input()}; the client's half-close or hang-up is the
 * end of that input. Closing the stream closes the connection, which is how dockerd says the
 * process ended.
 */
public final class RawStream implements AutoCloseable {
    private static final byte[] EOF = new byte[0];
    private final Channel channel;
    /** Bounded: the client's reads stop (no autoRead) while the process does not take its input. */
    private final LinkedBlockingQueue<byte[]> in = new LinkedBlockingQueue<>(64);
    private final Input input = new Input();

    RawStream(Channel channel) {
        this.channel = channel;
        channel.closeFuture().addListener(f -> in.offer(EOF));
    }

    ChannelInboundHandlerAdapter inbound() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                try {
                    byte[] data = new byte[b.readableBytes()];
                    b.readBytes(data);
                    if (data.length > 0 && !in.offer(data)) {
                        // full: stop reading until the consumer catches up
                        ctx.channel().config().setAutoRead(false);
                        Thread.ofVirtual().start(() -> {
                            try {
                                in.put(data);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            ctx.channel().config().setAutoRead(true);
                        });
                    }
                } finally {
                    b.release();
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                // a TCP half-close, or over TLS the client's close_notify (Go's tls.Conn.CloseWrite)
                if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
                    in.offer(EOF);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        };
    }

    /** Writes {@code data} to the client; false once the client has gone. Waits while it reads slowly. */
    public boolean write(byte[] data) {
        if (!channel.isActive()) {
            return false;
        }
        ChannelFuture f = channel.writeAndFlush(Unpooled.wrappedBuffer(data));
        if (!channel.isWritable()) {
            f.awaitUninterruptibly();
        }
        return channel.isActive();
    }

    public boolean open() {
        return channel.isActive();
    }

    /** Runs {@code r} once when the connection closes (either side). */
    public void onClose(Runnable r) {
        channel.closeFuture().addListener(f -> r.run());
    }

    /** The client's bytes after the response head; end of stream at its half-close or hang-up. */
    public InputStream input() {
        return input;
    }

    /** Flushes what was written, then closes the connection. */
    @Override
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
        }
    }

    private final class Input extends ChunkedInputStream {
        private boolean eof;

        @Override
        protected byte[] nextChunk() throws IOException {
            if (eof) {
                return null;
            }
            byte[] next;
            try {
                next = in.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted reading the client's input", e);
            }
            if (next == EOF) {
                eof = true;
                in.offer(EOF);
                return null;
            }
            return next;
        }
    }
}
