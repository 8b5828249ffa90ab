package io.jcontainerd.supervisor.cri;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyPingFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A streaming connection upgraded to SPDY/3.1 as kubelet's remotecommand server speaks it with
 * {@code v4.channel.k8s.io}: the client opens one stream per channel (header {@code streamType}:
 * error, stdin, stdout, stderr, resize), each answered with a SYN_REPLY; data frames carry the
 * bytes, FIN on stdin closes it, and the resize stream is a sequence of JSON objects. No flow
 * control (as moby/spdystream, which kubelet and kubectl use); the codec's frames are bounded
 * (8 KiB data chunks, 16 KiB of headers), a resize stream holds at most 4 KiB unparsed.
 */
final class SpdyChannelConnection extends ChannelConnection {
    private static final Map<String, Integer> CHANNELS = Map.of("stdin", ContainerStreams.STDIN, "stdout", ContainerStreams.STDOUT,
            "stderr", ContainerStreams.STDERR, "error", ContainerStreams.ERROR, "resize", ContainerStreams.RESIZE);
    private final Map<Integer, Integer> streamOf = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> channelOf = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream resize = new ByteArrayOutputStream();

    SpdyChannelConnection(Channel channel, String protocol) {
        super(channel, protocol);
    }

    ChannelInboundHandlerAdapter spdyHandler() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    switch (msg) {
                        case SpdySynStreamFrame syn -> opened(ctx, syn);
                        case SpdyDataFrame d -> data(d);
                        case SpdyRstStreamFrame r -> {
                            Integer ch = channelOf.get(r.streamId());
                            if (ch != null && ch == ContainerStreams.STDIN) {
                                deliverStreamClosed(ch);
                            }
                        }
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
            public void channelInactive(ChannelHandlerContext ctx) {
                gone();
                synchronized (streamOf) {
                    streamOf.notifyAll();
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        };
    }

    private void opened(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
        String type = null;
        for (Map.Entry<CharSequence, CharSequence> h : syn.headers()) {
            if (h.getKey().toString().equalsIgnoreCase("streamtype")) {
                type = h.getValue().toString();
            }
        }
        Integer ch = type == null ? null : CHANNELS.get(type);
        // a header in the reply: Netty encodes an empty block as no bytes at all, which spdystream's
        // framer cannot decompress (it expects the compressed count), and the client never sees the reply
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
        reply.headers().set("streamtype", type == null ? "unknown" : type);
        ctx.writeAndFlush(reply);
        if (ch == null) {
            return; // a stream this protocol does not know: answered, ignored (as kubelet logs and drops it)
        }
        channelOf.put(syn.streamId(), ch);
        synchronized (streamOf) {
            streamOf.put(ch, syn.streamId());
            streamOf.notifyAll();
        }
        if (syn.isLast() && ch == ContainerStreams.STDIN) {
            deliverStreamClosed(ch);
        }
    }

    private void data(SpdyDataFrame d) {
        Integer ch = channelOf.get(d.streamId());
        if (ch == null) {
            return;
        }
        ByteBuf content = d.content();
        byte[] b = new byte[content.readableBytes()];
        content.readBytes(b);
        if (ch == ContainerStreams.RESIZE) {
            resizeBytes(b);
        } else if (b.length > 0) {
            deliver(ch, b);
        }
        if (d.isLast() && ch == ContainerStreams.STDIN) {
            deliverStreamClosed(ch);
        }
    }

    /** The resize stream is a sequence of JSON objects without nesting: each complete one is handed on. */
    private void resizeBytes(byte[] b) {
        for (byte x : b) {
            if (resize.size() >= 4096) {
                resize.reset(); // not a size message: dropped
            }
            resize.write(x);
            if (x == '}') {
                deliver(ContainerStreams.RESIZE, resize.toByteArray());
                resize.reset();
            }
        }
    }

    /** Waits (30 s at most, kubelet's stream creation timeout) until the client opened a stream for each of {@code channels}. */
    boolean awaitStreams(Set<Integer> channels) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (streamOf) {
            while (!streamOf.keySet().containsAll(channels)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !channel.isActive()) {
                    return false;
                }
                streamOf.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    @Override
    protected Object frame(int ch, byte[] data, int off, int len) {
        Integer stream = streamOf.get(ch);
        return stream == null ? null : new DefaultSpdyDataFrame(stream, Unpooled.copiedBuffer(data, off, len));
    }

    /** Every stream of ours ends (FIN), then the session (GOAWAY). */
    @Override
    protected void sendClose() {
        for (int stream : streamOf.values()) {
            channel.write(new DefaultSpdyDataFrame(stream).setLast(true));
        }
        channel.writeAndFlush(new DefaultSpdyGoAwayFrame(0)).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
