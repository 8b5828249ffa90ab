package io.jcontainerd.supervisor.docker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answer side of one request on one connection: a whole response, a chunked stream, or a
 * hijacked raw stream. Every response carries dockerd's headers (Api-Version, Ostype, Server).
 * Called from a virtual thread; Netty's channel writes are thread-safe.
 */
public final class Exchange {
    static final ObjectMapper JSON = new ObjectMapper();
    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;
    private final boolean head;
    private final ServerIdentity identity;
    private final AtomicBoolean started = new AtomicBoolean();

    Exchange(ChannelHandlerContext ctx, boolean keepAlive, boolean head, ServerIdentity identity) {
        this.ctx = ctx;
        this.keepAlive = keepAlive;
        this.head = head;
        this.identity = identity;
    }

    /** What the server says about itself in every response. */
    public record ServerIdentity(String apiVersion, String server) {
    }

    public boolean started() {
        return started.get();
    }

    public ServerIdentity identity() {
        return identity;
    }

    public void json(int status, Object body) {
        try {
            full(status, JSON.writeValueAsBytes(body), "application/json", Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response as JSON: " + e.getMessage(), e);
        }
    }

    public void noContent() {
        full(204, new byte[0], null, Map.of());
    }

    public void status(int status) {
        full(status, new byte[0], null, Map.of());
    }

    public void error(int status, String message) {
        json(status, Map.of("message", message));
    }

    /** A whole response; {@code extra} headers are added as given. */
    public void full(int status, byte[] body, String contentType, Map<String, String> extra) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the response was already started");
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        addCommon(r.headers());
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        extra.forEach((k, v) -> r.headers().set(k, v));
        if (status != 204 && status != 304) {
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        finish(ctx.writeAndFlush(r));
    }

    private void finish(ChannelFuture written) {
        if (keepAlive) {
            written.addListener((ChannelFutureListener) f -> {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            });
        } else {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    void addCommon(HttpHeaders h) {
        h.set("Api-Version", identity.apiVersion());
        h.set("Docker-Experimental", "false");
        h.set("Ostype", "linux");
        h.set(HttpHeaderNames.SERVER, identity.server());
        h.set(HttpHeaderNames.DATE, DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    /**
     * Starts a chunked 200 response and flushes its head at once (wait needs that: the CLI blocks
     * on the head before it starts the container). {@code contentType} may be null (logs).
     */
    public Chunked chunked(String contentType) {
        return chunked(contentType, Map.of());
    }

    /** A chunked 200 response with {@code extra} headers. */
    public Chunked chunked(String contentType, Map<String, String> extra) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the response was already started");
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        addCommon(r.headers());
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        extra.forEach((k, v) -> r.headers().set(k, v));
        ctx.writeAndFlush(r);
        return new Chunked();
    }

    /** A chunked body in progress. */
    public final class Chunked {
        private boolean ended;

        /** Sends one chunk; false when the client went away. Waits while the client reads slowly. */
        public boolean write(byte[] data) {
            if (!ctx.channel().isActive()) {
                return false;
            }
            if (data.length == 0) {
                return true;
            }
            ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(data)));
            return awaitWritable(f);
        }

        public boolean open() {
            return ctx.channel().isActive();
        }

        /** Runs {@code r} once when the client closes the connection. */
        public void onClose(Runnable r) {
            ctx.channel().closeFuture().addListener(f -> r.run());
        }

        /** The body as a stream, sent in chunks of up to 64 KiB; closing it does not end the body. */
        public java.io.OutputStream stream() {
            return new java.io.BufferedOutputStream(new java.io.OutputStream() {
                @Override
                public void write(int b) throws java.io.IOException {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws java.io.IOException {
                    if (!Chunked.this.write(java.util.Arrays.copyOfRange(b, off, off + len))) {
                        throw new java.io.IOException("the client closed the connection");
                    }
                }
            }, 64 * 1024);
        }

        public synchronized void end() {
            if (ended) {
                return;
            }
            ended = true;
            if (ctx.channel().isActive()) {
                finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            }
        }
    }

    private boolean awaitWritable(ChannelFuture f) {
        if (!ctx.channel().isWritable()) {
            f.awaitUninterruptibly();
        }
        return ctx.channel().isActive();
    }

    /**
     * Takes the connection over for a raw byte stream: {@code upgrade} answers
     * {@code 101 UPGRADED} (the CLI's {@code Upgrade: tcp}), otherwise {@code 200 OK} with no
     * length and no chunking (testcontainers' exec start); either way the HTTP codec leaves the
     * connection and what the client sends afterwards is its stdin.
     */
    public RawStream hijack(boolean upgrade, String contentType) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the response was already started");
        }
        StringBuilder head = new StringBuilder();
        if (upgrade) {
            head.append("HTTP/1.1 101 UPGRADED\r\nContent-Type: ").append(contentType)
                    .append("\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n");
        } else {
            head.append("HTTP/1.1 200 OK\r\nContent-Type: ").append(contentType).append("\r\n");
        }
        head.append("Api-Version: ").append(identity.apiVersion()).append("\r\nDocker-Experimental: false\r\nOstype: linux\r\n")
                .append("Server: ").append(identity.server()).append("\r\n\r\n");
        RawStream stream = new RawStream(ctx.channel());
        ctx.channel().eventLoop().submit(() -> {
            var p = ctx.pipeline();
            p.replace(DockerHttpServer.HANDLER, DockerHttpServer.HANDLER, stream.inbound());
            p.remove(DockerHttpServer.CODEC);
            ByteBuf buf = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
            ctx.channel().writeAndFlush(buf);
            ctx.channel().config().setAutoRead(true);
        }).syncUninterruptibly();
        return stream;
    }
}
