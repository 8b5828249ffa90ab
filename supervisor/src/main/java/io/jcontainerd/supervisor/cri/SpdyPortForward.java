package io.jcontainerd.supervisor.cri;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyDataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdySynStreamFrame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Port-forward over SPDY/3.1 ({@code portforward.k8s.io}) as kubelet serves it: for each of its
 * local connections the client opens an error stream and a data stream with the same
 * {@code requestID} and {@code port} headers; once both are open the server connects to
 * 127.0.0.1:port inside the pod's network namespace and copies the data stream both ways, or
 * writes why it could not on the error stream. The connection lives until the client closes it.
 * Data that arrives before the pod connection is made is held (1 MiB a pair, then the
 * connection is not read until it is).
 */
final class SpdyPortForward extends ChannelConnection implements SpdySession.Streams {
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
    private final Map<Integer, Pair> byStream = new ConcurrentHashMap<>();
    /**
     * The pod to dial, known once {@link #run} is called. A pair's streams can arrive before that (in the
     * same read as the upgrade), and its dial waits for it: a null network namespace means the host's
     * (hostNetwork pods), so dialling before the pod is known would reach the host's loopback.
     */
    private final CompletableFuture<Target> target = new CompletableFuture<>();

    private record Target(Path netns, String sandboxId) {
    }

    /** One forwarded connection: its two streams, the pod's socket and the input on its way there. */
    private static final class Pair {
        int port;
        int dataStream;
        int errorStream;
        boolean started;
        InboundPipe in;
        PodSocket socket;
        final List<byte[]> early = new ArrayList<>();
        long earlyBytes;
        boolean earlyFin;
    }

    SpdyPortForward(Channel channel) {
        super(channel, "portforward.k8s.io");
    }

    ChannelInboundHandlerAdapter spdyHandler() {
        return new SpdySession(this);
    }

    @Override
    public void reset(int streamId) {
        Pair p = byStream.get(streamId);
        if (p != null) {
            closeSocket(p);
        }
    }

    @Override
    public void sessionEnded() {
        target.completeExceptionally(new IOException("the connection closed before its pod was known"));
        for (Pair p : pairs.values()) {
            if (p.in != null) {
                p.in.end();
            }
            closeSocket(p);
        }
        gone();
    }

    @Override
    public void opened(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
        Map<String, String> headers = SpdySession.headers(syn);
        String type = headers.getOrDefault("streamtype", "");
        String port = headers.getOrDefault("port", "");
        String request = headers.getOrDefault("requestid", "");
        SpdySession.reply(ctx, syn.streamId(), type);
        if (!type.equals("data") && !type.equals("error")) {
            return;
        }
        if (pairs.size() >= 1024 && !pairs.containsKey(request)) {
            ctx.close(); // a client opening pairs it never closes
            return;
        }
        Pair p = pairs.computeIfAbsent(request, k -> new Pair());
        int n;
        try {
            n = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            n = -1;
        }
        p.port = n;
        if (type.equals("data")) {
            p.dataStream = syn.streamId();
        } else {
            p.errorStream = syn.streamId();
        }
        byStream.put(syn.streamId(), p);
        if (p.dataStream != 0 && p.errorStream != 0 && !p.started) {
            p.started = true;
            Thread.ofVirtual().name("cri-portforward-spdy").start(() -> forward(p));
        }
    }

    @Override
    public void data(SpdyDataFrame d) {
        Pair p = byStream.get(d.streamId());
        if (p == null || d.streamId() != p.dataStream) {
            return;
        }
        byte[] b = SpdySession.bytes(d);
        if (p.in != null) {
            if (b.length > 0) {
                p.in.offer(b);
            }
            if (d.isLast()) {
                p.in.end();
            }
            return;
        }
        if (b.length > 0) {
            p.early.add(b);
            p.earlyBytes += b.length;
            if (p.earlyBytes > InboundPipe.LIMIT) {
                channel.config().setAutoRead(false); // read on once the pod connection takes it
            }
        }
        p.earlyFin |= d.isLast();
    }

    /** Serves the connection's pairs until the client closes it. */
    void run(Path podNetns, String sandbox) throws InterruptedException {
        target.complete(new Target(podNetns, sandbox));
        channel.config().setAutoRead(true);
        channel.read();
        while (!awaitClosed(1000)) {
            // pairs come and go on their own threads
        }
    }

    private void forward(Pair p) {
        Target t;
        try {
            t = target.get();
        } catch (ExecutionException e) {
            return; // the connection ended first: nothing to dial, nobody to tell
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        PodSocket s;
        try {
            if (p.port < 1 || p.port > 65535) {
                throw new IOException("\"" + p.port + "\" is not a TCP port");
            }
            s = PodSocket.dial(t.netns(), p.port);
        } catch (IOException e) {
            String msg = PodSocket.dialError(p.port, t.sandboxId(), e);
            sendOn(p.errorStream, msg.getBytes(StandardCharsets.UTF_8), msg.length());
            fin(p.errorStream);
            fin(p.dataStream);
            return;
        }
        p.socket = s;
        InboundPipe in = s.inbound(this);
        channel.eventLoop().execute(() -> {
            for (byte[] b : p.early) {
                in.offer(b);
            }
            p.early.clear();
            if (p.earlyFin) {
                in.end();
            }
            p.in = in;
            channel.config().setAutoRead(true);
        });
        s.copyOut((data, len) -> sendOn(p.dataStream, data, len));
        fin(p.dataStream);
        fin(p.errorStream);
        in.end();
        closeSocket(p);
        byStream.remove(p.dataStream);
        byStream.remove(p.errorStream);
        pairs.values().remove(p);
    }

    private boolean sendOn(int stream, byte[] data, int len) {
        ChannelFuture f = channel.writeAndFlush(new DefaultSpdyDataFrame(stream, Unpooled.copiedBuffer(data, 0, len)));
        if (!f.awaitUninterruptibly(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            channel.close();
            return false;
        }
        return f.isSuccess();
    }

    private void fin(int stream) {
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultSpdyDataFrame(stream).setLast(true));
        }
    }

    private static void closeSocket(Pair p) {
        PodSocket s = p.socket;
        if (s != null) {
            s.close();
        }
    }

    @Override
    protected void sendClose() {
        channel.writeAndFlush(new DefaultSpdyGoAwayFrame(0)).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
