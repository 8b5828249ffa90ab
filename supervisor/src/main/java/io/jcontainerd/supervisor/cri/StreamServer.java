package io.jcontainerd.supervisor.cri;

import com.google.protobuf.Message;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.spdy.SpdyVersion;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.timeout.IdleStateEvent;
import io.grpc.netty.shaded.io.netty.handler.timeout.IdleStateHandler;
import io.jcontainerd.api.cri.v1.AttachRequest;
import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.api.cri.v1.PortForwardRequest;
import io.jcontainerd.config.errdefs.JcdException;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CRI streaming server, as containerd's: Exec, Attach and PortForward answer a URL
 * {@code http://<address>:<port>/<exec|attach|portforward>/<token>} whose token is single-use and
 * lives a minute ({@link StreamTokens}); kubelet proxies its client there. HTTP/1.1 on Netty
 * (epoll), bound to loopback unless configured; the connection is upgraded to a WebSocket speaking
 * {@code v5.channel.k8s.io} or {@code v4.channel.k8s.io} for exec and attach, and the port-forward
 * channel pairs ({@code portforward.k8s.io}, {@code v4.channel.k8s.io} or no subprotocol) for
 * port-forward; or to SPDY/3.1 ({@code v4.channel.k8s.io}) for exec and attach, as kubelet and
 * the API server's stream translator speak it ({@link SpdyChannelConnection}). Requests are
 * bounded (8 KiB of headers, no body); WebSocket frames 1 MiB.
 */
public final class StreamServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamServer.class.getName());
    static final int MAX_FRAME = 1 << 20;
    static final List<String> EXEC_PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    static final List<String> PORT_FORWARD_PROTOCOLS = List.of("portforward.k8s.io", "v4.channel.k8s.io");
    static final String SPDY = "SPDY/3.1";
    static final String SPDY_EXEC_PROTOCOL = "v4.channel.k8s.io";
    static final String SPDY_PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
    static final String STREAM_PROTOCOL_HEADER = "X-Stream-Protocol-Version";

    /** What a stream does once its connection is upgraded; each call runs on a virtual thread of its own. */
    public interface Handlers {
        void exec(ExecRequest request, ChannelConnection connection);

        void attach(AttachRequest request, ChannelConnection connection);

        /** @param ports the request's ports, else those of the URL's {@code port} parameters */
        void portForward(PortForwardRequest request, List<Integer> ports, ChannelConnection connection);
    }

    private final StreamTokens<Message> tokens;
    private final EventLoopGroup loop;
    private final Channel server;
    private final String base;

    private StreamServer(StreamTokens<Message> tokens, EventLoopGroup loop, Channel server, String base) {
        this.tokens = tokens;
        this.loop = loop;
        this.server = server;
        this.base = base;
    }

    /**
     * Binds {@code address:port} (port 0: ephemeral) and serves {@code handlers}; a connection with no
     * traffic either way for {@code idleTimeout} (zero: never), in its HTTP request or once upgraded, is
     * closed (containerd's {@code stream_idle_timeout}); what runs in the container goes on. With
     * {@code tls} (null: plain HTTP) every connection is TLS first and the URLs are {@code https://}.
     */
    public static StreamServer start(String address, int port, Duration idleTimeout, SslContext tls, Handlers handlers, Clock clock) {
        StreamTokens<Message> tokens = new StreamTokens<>(clock);
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                            }
                            if (!idleTimeout.isZero()) {
                                ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                        .addLast("idle-close", new IdleClose(idleTimeout));
                            }
                            ch.pipeline().addLast("http", new HttpServerCodec(4096, 8192, 8192))
                                    .addLast("body", new HttpObjectAggregator(0))
                                    .addLast("route", new Router(tokens, handlers));
                        }
                    })
                    .bind(new InetSocketAddress(address, port)).sync().channel();
            InetSocketAddress bound = (InetSocketAddress) server.localAddress();
            String host = bound.getAddress().getHostAddress();
            if (host.contains(":")) {
                host = "[" + host.replaceFirst("%.*$", "") + "]";
            }
            return new StreamServer(tokens, loop, server, (tls == null ? "http://" : "https://") + host + ":" + bound.getPort());
        } catch (RuntimeException e) {
            loop.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw JcdException.failedPrecondition("cannot start the CRI streaming server on %s:%d: %s (set [cri] stream_server_address/port)",
                    address, port, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw JcdException.failedPrecondition("interrupted while binding the CRI streaming server on %s:%d", address, port);
        }
    }

    /** {@code http://host:port}, or {@code https://} with TLS */
    public String base() {
        return base;
    }

    public String execUrl(ExecRequest r) {
        return base + "/exec/" + tokens.put(r);
    }

    public String attachUrl(AttachRequest r) {
        return base + "/attach/" + tokens.put(r);
    }

    public String portForwardUrl(PortForwardRequest r) {
        return base + "/portforward/" + tokens.put(r);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Closes a connection its {@link IdleStateHandler} found idle. */
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        private final Duration timeout;

        IdleClose(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                LOG.info(() -> "CRI stream connection from " + ctx.channel().remoteAddress() + " closed: no traffic for "
                        + timeout + " (cri.stream_idle_timeout)");
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }
    }

    private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final StreamTokens<Message> tokens;
        private final Handlers handlers;

        Router(StreamTokens<Message> tokens, Handlers handlers) {
            this.tokens = tokens;
            this.handlers = handlers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.decoderResult().isSuccess()) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + req.decoderResult().cause());
                return;
            }
            QueryStringDecoder qs = new QueryStringDecoder(req.uri());
            String[] parts = qs.path().split("/");
            if (parts.length != 3 || !parts[0].isEmpty() || !List.of("exec", "attach", "portforward").contains(parts[1])) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "no such path: the streaming server serves /exec/<token>, /attach/<token>, /portforward/<token>");
                return;
            }
            String kind = parts[1];
            Optional<Message> pending = tokens.take(parts[2]);
            if (pending.isEmpty() || !kind.equals(kindOf(pending.get()))) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "unknown, used or expired token: a URL serves one connection within "
                        + StreamTokens.TTL.toSeconds() + " s of the " + kind + " call that made it; call it again");
                return;
            }
            String upgrade = req.headers().get(HttpHeaderNames.UPGRADE, "");
            if (upgrade.equalsIgnoreCase(SPDY) && kind.equals("portforward")) {
                List<String> offered = req.headers().getAll(STREAM_PROTOCOL_HEADER).stream()
                        .flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).toList();
                if (!offered.contains(SPDY_PORT_FORWARD_PROTOCOL)) {
                    respond(ctx, HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: client supports " + offered
                            + ", server supports [" + SPDY_PORT_FORWARD_PROTOCOL + "]");
                    return;
                }
                spdyPortForward(ctx, (PortForwardRequest) pending.get());
                return;
            }
            if (upgrade.equalsIgnoreCase(SPDY)) {
                List<String> offered = req.headers().getAll(STREAM_PROTOCOL_HEADER).stream()
                        .flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).toList();
                if (!offered.contains(SPDY_EXEC_PROTOCOL)) {
                    respond(ctx, HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: client supports " + offered
                            + ", server supports [" + SPDY_EXEC_PROTOCOL + "]");
                    return;
                }
                spdyUpgrade(ctx, kind, pending.get());
                return;
            }
            if (!"websocket".equalsIgnoreCase(upgrade)) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "upgrade \"" + upgrade + "\" is not served for " + kind + ": connect with a WebSocket "
                        + "(subprotocols " + (kind.equals("portforward") ? PORT_FORWARD_PROTOCOLS : EXEC_PROTOCOLS) + ")"
                        + " or SPDY/3.1 (" + (kind.equals("portforward") ? SPDY_PORT_FORWARD_PROTOCOL : SPDY_EXEC_PROTOCOL) + ")");
                return;
            }
            List<String> requested = Arrays.stream(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "").split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            List<String> served = kind.equals("portforward") ? PORT_FORWARD_PROTOCOLS : EXEC_PROTOCOLS;
            Optional<String> chosen = requested.stream().filter(served::contains).findFirst();
            if (chosen.isEmpty() && !(kind.equals("portforward") && requested.isEmpty())) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "none of the WebSocket subprotocols " + requested + " is served for " + kind
                        + ": ask for one of " + served);
                return;
            }
            List<Integer> ports = List.of();
            if (pending.get() instanceof PortForwardRequest pf && pf.getPortCount() == 0) {
                try {
                    ports = queryPorts(qs.parameters().getOrDefault("port", List.of()));
                } catch (IllegalArgumentException e) {
                    respond(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                    return;
                }
            }
            upgrade(ctx, req, kind, pending.get(), chosen.orElse(""), ports);
        }

        /** SPDY/3.1 as kubelet answers it: 101, then the client opens its streams; the stream starts once all it needs are open. */
        private void spdyUpgrade(ChannelHandlerContext ctx, String kind, Message request) {
            ctx.channel().config().setAutoRead(false);
            SpdyChannelConnection connection = new SpdyChannelConnection(ctx.channel(), SPDY_EXEC_PROTOCOL);
            switchToSpdy(ctx, SPDY_EXEC_PROTOCOL, connection.spdyHandler(), () -> {
                ctx.channel().config().setAutoRead(true);
                Thread.ofVirtual().name("cri-stream-" + kind).start(() -> {
                    try {
                        if (!connection.awaitStreams(expectedStreams(request))) {
                            LOG.fine(() -> "CRI " + kind + " over SPDY: the client did not open its streams within 30 s");
                            return;
                        }
                        run(kind, request, List.of(), connection);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        connection.close();
                    }
                });
            });
        }

        /** Port-forward over SPDY/3.1: 101, then the client opens a pair of streams per forwarded connection ({@link SpdyPortForward}). */
        private void spdyPortForward(ChannelHandlerContext ctx, PortForwardRequest request) {
            ctx.channel().config().setAutoRead(false);
            SpdyPortForward connection = new SpdyPortForward(ctx.channel());
            // reading starts in SpdyPortForward.run, once it knows the pod
            switchToSpdy(ctx, SPDY_PORT_FORWARD_PROTOCOL, connection.spdyHandler(), () -> Thread.ofVirtual().name("cri-stream-portforward").start(() -> {
                try {
                    run("portforward", request, List.of(), connection);
                } finally {
                    connection.close();
                }
            }));
        }

        /**
         * Answers 101 (Upgrade: SPDY/3.1, the stream protocol chosen), then swaps this HTTP handler and its
         * codec for the SPDY/3.1 codec and {@code session}, then runs {@code then}; a failed write closes the connection.
         */
        private void switchToSpdy(ChannelHandlerContext ctx, String protocol, ChannelHandler session, Runnable then) {
            Channel ch = ctx.channel();
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
            r.headers().set(HttpHeaderNames.CONNECTION, "Upgrade").set(HttpHeaderNames.UPGRADE, SPDY)
                    .set(STREAM_PROTOCOL_HEADER, protocol);
            ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    ch.close();
                    return;
                }
                ch.pipeline().addLast("spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1)).addLast("stream", session);
                ch.pipeline().remove("body");
                ch.pipeline().remove("http");
                ch.pipeline().remove(this);
                then.run();
            });
        }

        /** The channels a v4 client opens streams for: error always, the others as asked (resize with a terminal). */
        static java.util.Set<Integer> expectedStreams(Message request) {
            java.util.Set<Integer> s = new java.util.HashSet<>();
            s.add(ContainerStreams.ERROR);
            boolean stdin = request instanceof ExecRequest e ? e.getStdin() : ((AttachRequest) request).getStdin();
            boolean stdout = request instanceof ExecRequest e ? e.getStdout() : ((AttachRequest) request).getStdout();
            boolean stderr = request instanceof ExecRequest e ? e.getStderr() : ((AttachRequest) request).getStderr();
            boolean tty = request instanceof ExecRequest e ? e.getTty() : ((AttachRequest) request).getTty();
            if (stdin) {
                s.add(ContainerStreams.STDIN);
            }
            if (stdout) {
                s.add(ContainerStreams.STDOUT);
            }
            if (stderr) {
                s.add(ContainerStreams.STDERR);
            }
            if (tty) {
                s.add(ContainerStreams.RESIZE);
            }
            return s;
        }

        private void run(String kind, Message request, List<Integer> ports, ChannelConnection connection) {
            try {
                switch (request) {
                    case ExecRequest e -> handlers.exec(e, connection);
                    case AttachRequest a -> handlers.attach(a, connection);
                    case PortForwardRequest p -> handlers.portForward(p, ports, connection);
                    default -> throw new IllegalStateException("not a streaming request: " + request.getClass());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "CRI " + kind + " stream failed", e);
            }
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String kind, Message request, String protocol, List<Integer> ports) {
            String url = (ctx.pipeline().get("tls") != null ? "wss://" : "ws://") + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
            WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, protocol.isEmpty() ? null : protocol, false, MAX_FRAME)
                    .newHandshaker(req);
            if (hs == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            Channel ch = ctx.channel();
            ch.config().setAutoRead(false);
            ChannelConnection connection = new ChannelConnection(ch, protocol);
            hs.handshake(ch, req).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    ch.close();
                    return;
                }
                ch.pipeline().addLast("frames", new WebSocketFrameAggregator(MAX_FRAME)).addLast("stream", connection.handler());
                ch.pipeline().remove(this);
                Thread.ofVirtual().name("cri-stream-" + kind).start(() -> {
                    try {
                        run(kind, request, ports, connection);
                    } finally {
                        connection.close();
                    }
                });
            });
        }

        static List<Integer> queryPorts(List<String> values) {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("query parameter \"port\" is required: the PortForward call named no port");
            }
            List<Integer> ports = new java.util.ArrayList<>();
            for (String v : values) {
                for (String p : v.split(",", -1)) {
                    int n;
                    try {
                        n = Integer.parseInt(p);
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 1 || n > 65535) {
                        throw new IllegalArgumentException("port \"" + p + "\" is not a TCP port (1 to 65535)");
                    }
                    if (ports.size() >= 64) {
                        throw new IllegalArgumentException("more than 64 ports in one port-forward");
                    }
                    ports.add(n);
                }
            }
            return ports;
        }

        private static String kindOf(Message m) {
            return switch (m) {
                case ExecRequest e -> "exec";
                case AttachRequest a -> "attach";
                case PortForwardRequest p -> "portforward";
                default -> "";
            };
        }

        private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
