package io.jcontainerd.supervisor.cri;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyPingFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The server side of a SPDY/3.1 session as moby/spdystream's peers expect it, shared by exec/attach
 * ({@link SpdyChannelConnection}) and port-forward ({@link SpdyPortForward}): a PING is answered, a
 * GOAWAY closes the connection, SETTINGS, WINDOW_UPDATE and HEADERS are ignored (no flow control, as
 * spdystream), every frame is released after its handler; the protocol handles SYN_STREAM, data,
 * RST_STREAM and the connection's end.
 */
final class SpdySession extends ChannelInboundHandlerAdapter {
    /** What the protocol on top does with the session's streams. */
    interface Streams {
        /** The client opened a stream. */
        void opened(ChannelHandlerContext ctx, SpdySynStreamFrame syn);

        /** Data on a stream (the frame is released afterwards: copy what is kept). */
        void data(SpdyDataFrame d);

        /** The client reset a stream. */
        void reset(int streamId);

        /** The connection is gone. */
        void sessionEnded();
    }

    private final Streams streams;

    SpdySession(Streams streams) {
        this.streams = streams;
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            switch (msg) {
                case SpdySynStreamFrame syn -> streams.opened(ctx, syn);
                case SpdyDataFrame d -> streams.data(d);
                case SpdyRstStreamFrame r -> streams.reset(r.streamId());
                case SpdyPingFrame p -> ctx.writeAndFlush(new DefaultSpdyPingFrame(p.id()));
                case SpdyGoAwayFrame g -> ctx.close();
                default -> {
                    // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do (no flow control, as spdystream)
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        streams.sessionEnded();
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** A SYN_STREAM's headers, names in lower case (SPDY's are, but a client may send others). */
    static Map<String, String> headers(SpdySynStreamFrame syn) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<CharSequence, CharSequence> h : syn.headers()) {
            out.put(h.getKey().toString().toLowerCase(Locale.ROOT), h.getValue().toString());
        }
        return out;
    }

    /**
     * Answers a SYN_STREAM with a SYN_REPLY naming its {@code streamtype} ("unknown" for none): never
     * an empty header block, which Netty encodes as no bytes at all and spdystream's framer cannot
     * decompress (it expects the compressed count), so the client would never see the reply.
     */
    static void reply(ChannelHandlerContext ctx, int streamId, String type) {
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
        reply.headers().set("streamtype", type == null || type.isEmpty() ? "unknown" : type);
        ctx.writeAndFlush(reply);
    }

    /** A data frame's bytes. */
    static byte[] bytes(SpdyDataFrame d) {
        ByteBuf content = d.content();
        byte[] b = new byte[content.readableBytes()];
        content.readBytes(b);
        return b;
    }
}
