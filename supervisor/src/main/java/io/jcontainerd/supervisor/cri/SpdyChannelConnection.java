package io.jcontainerd.supervisor.cri;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdySynStreamFrame;

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
final class SpdyChannelConnection extends ChannelConnection implements SpdySession.Streams {
    private static final Map<String, Integer> CHANNELS = Map.of("stdin", ContainerStreams.STDIN, "stdout", ContainerStreams.STDOUT,
            "stderr", ContainerStreams.STDERR, "error", ContainerStreams.ERROR, "resize", ContainerStreams.RESIZE);
    private final Map<Integer, Integer> streamOf = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> channelOf = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream resize = new ByteArrayOutputStream();

    SpdyChannelConnection(Channel channel, String protocol) {
        super(channel, protocol);
    }

    ChannelInboundHandlerAdapter spdyHandler() {
        return new SpdySession(this);
    }

    @Override
    public void reset(int streamId) {
        Integer ch = channelOf.get(streamId);
        if (ch != null && ch == ContainerStreams.STDIN) {
            deliverStreamClosed(ch);
        }
    }

    @Override
    public void sessionEnded() {
        gone();
        synchronized (streamOf) {
            streamOf.notifyAll();
        }
    }

    @Override
    public void opened(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
        String type = SpdySession.headers(syn).get("streamtype");
        Integer ch = type == null ? null : CHANNELS.get(type);
        SpdySession.reply(ctx, syn.streamId(), type);
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

    @Override
    public void data(SpdyDataFrame d) {
        Integer ch = channelOf.get(d.streamId());
        if (ch == null) {
            return;
        }
        byte[] b = SpdySession.bytes(d);
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
