package io.jcontainerd.supervisor.docker.http;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObject;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Docker API's HTTP/1.1 server on a unix socket (Netty's HTTP codec on epoll, mode 0660), and
 * on TCP with TLS in front when configured:
 * a request body is read whole (at most {@link #MAX_WHOLE_BODY}, else a 413 naming the limit),
 * then handled on a virtual thread; on a streaming route (docker cp into a container, docker
 * load) the handler starts at once and reads the body as a {@link BodyStream}, which holds at most
 * about 1 MiB of it. The connection reads no next request until the answer is complete, so a
 * hijacking handler gets every byte the client sends after its request.
 */
public final class DockerHttpServer implements AutoCloseable {
    static final String CODEC = "http";
    static final String HANDLER = "docker";
    private static final Logger LOG = Logger.getLogger(DockerHttpServer.class.getName());
    /** The largest request body read whole (JSON bodies); docker cp and load bodies are streamed, never held. */
    static final int MAX_WHOLE_BODY = 16 << 20;

    static final String TLS = "tls";
    /** The socket file to remove at close; null on TCP. */
    private final Path path;
    private final EventLoopGroup loop;
    private final Channel server;

    private DockerHttpServer(Path path, EventLoopGroup loop, Channel server) {
        this.path = path;
        this.loop = loop;
        this.server = server;
    }

    /**
     * Serves {@code dispatch} on {@code path}; the caller has made sure the path is free.
     * {@code dispatch} gets each request with its exchange, on a virtual thread; a request whose
     * method and unversioned path {@code streamsBody} accepts gets its body as a stream.
     */
    public static DockerHttpServer start(Path path, Exchange.ServerIdentity identity, BiConsumer<Request, Exchange> dispatch,
                                         BiPredicate<String, String> streamsBody) {
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        Path bound = path.resolveSibling("." + path.getFileName() + ".starting-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(bound);
            Channel server = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(pipeline(null, identity, dispatch, streamsBody))
                    .bind(new DomainSocketAddress(bound.toString())).sync().channel();
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-rw----"));
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
            return new DockerHttpServer(path, loop, server);
        } catch (IOException | RuntimeException e) {
            loop.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw JcdException.failedPrecondition("cannot serve the Docker API on %s: %s", path, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw JcdException.failedPrecondition("interrupted while binding %s", path);
        }
    }

    /**
     * Serves {@code dispatch} on TCP {@code address}, behind TLS when {@code tls} is not null (its
     * client-certificate rule is the context's). Refuses an address in use with a message naming it.
     */
    public static DockerHttpServer startTcp(InetSocketAddress address, SslContext tls, Exchange.ServerIdentity identity,
                                            BiConsumer<Request, Exchange> dispatch, BiPredicate<String, String> streamsBody) {
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(pipeline(tls, identity, dispatch, streamsBody))
                    .bind(address).sync().channel();
            return new DockerHttpServer(null, loop, server);
        } catch (RuntimeException e) {
            loop.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw JcdException.failedPrecondition("cannot serve the Docker API on tcp://%s:%d: %s (set another docker.tcp port)",
                    address.getHostString(), address.getPort(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw JcdException.failedPrecondition("interrupted while binding %s", address);
        }
    }

    private static ChannelInitializer<Channel> pipeline(SslContext tls, Exchange.ServerIdentity identity,
                                                       BiConsumer<Request, Exchange> dispatch, BiPredicate<String, String> streamsBody) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast(TLS, tls.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast(CODEC, new HttpServerCodec(16 * 1024, 64 * 1024, 64 * 1024))
                        .addLast(HANDLER, new RequestHandler(identity, dispatch, streamsBody));
            }
        };
    }

    /** The socket path; null for the TCP listener. */
    public Path path() {
        return path;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        try {
            if (path != null) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // a stale socket is removed at the next start
        }
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Exchange.ServerIdentity identity;
        private final BiConsumer<Request, Exchange> dispatch;
        private final BiPredicate<String, String> streaming;
        /** The request whose body is being read whole, or null. */
        private HttpRequest head;
        private ByteArrayOutputStream whole;
        /** The streamed body being read, or null. */
        private BodyStream stream;
        /** True while the rest of a refused body is dropped. */
        private boolean dropping;

        RequestHandler(Exchange.ServerIdentity identity, BiConsumer<Request, Exchange> dispatch, BiPredicate<String, String> streaming) {
            this.identity = identity;
            this.dispatch = dispatch;
            this.streaming = streaming;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            if (msg instanceof HttpRequest r) {
                started(ctx, r);
            }
            if (msg instanceof HttpContent c) {
                content(ctx, c);
            }
        }

        private void started(ChannelHandlerContext ctx, HttpRequest r) {
            String path = Router.unversioned(new QueryStringDecoder(r.uri()).path());
            if (streaming.test(r.method().name(), path)) {
                ctx.channel().config().setAutoRead(false);
                stream = new BodyStream(ctx.channel());
                continueIfExpected(ctx, r);
                run(ctx, r, new byte[0], stream);
                return;
            }
            long length = HttpUtil.getContentLength(r, -1L);
            if (length > MAX_WHOLE_BODY) {
                tooLarge(ctx, r);
                return;
            }
            continueIfExpected(ctx, r);
            head = r;
            whole = new ByteArrayOutputStream(length > 0 ? (int) length : 0);
        }

        private void content(ChannelHandlerContext ctx, HttpContent c) {
            boolean last = c instanceof LastHttpContent;
            if (dropping) {
                dropping = !last;
                return;
            }
            if (stream != null) {
                byte[] data = new byte[c.content().readableBytes()];
                c.content().readBytes(data);
                BodyStream s = stream;
                boolean more = s.offer(data);
                if (last) {
                    stream = null;
                    s.end();
                } else if (more) {
                    ctx.read();
                }
                return;
            }
            if (head == null) {
                return; // the rest of a body its handler left unread
            }
            if (whole.size() + c.content().readableBytes() > MAX_WHOLE_BODY) {
                HttpRequest r = head;
                head = null;
                whole = null;
                dropping = !last;
                tooLarge(ctx, r);
                return;
            }
            byte[] data = new byte[c.content().readableBytes()];
            c.content().readBytes(data);
            whole.writeBytes(data);
            if (last) {
                ctx.channel().config().setAutoRead(false);
                HttpRequest r = head;
                byte[] body = whole.toByteArray();
                head = null;
                whole = null;
                run(ctx, r, body, null);
            }
        }

        private void run(ChannelHandlerContext ctx, HttpRequest msg, byte[] body, BodyStream streamed) {
            QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
            Map<String, String> headers = new HashMap<>();
            msg.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            Request request = streamed == null
                    ? new Request(msg.method().name(), Router.unversioned(qs.path()), Map.of(), qs.parameters(), headers, body)
                    : new Request(msg.method().name(), Router.unversioned(qs.path()), Map.of(), qs.parameters(), headers, body, streamed);
            Exchange exchange = new Exchange(ctx, HttpUtil.isKeepAlive(msg), msg.method().name().equals("HEAD"), identity);
            Thread.ofVirtual().name("docker-api").start(() -> {
                try {
                    dispatch.accept(request, exchange);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "docker API " + request.method() + " " + request.path() + " failed", e);
                    ctx.close();
                }
            });
            if (streamed != null) {
                ctx.read();
            }
        }

        /** 413 in Docker's error shape; the connection closes after it (the rest of the body is not read). */
        private void tooLarge(ChannelHandlerContext ctx, HttpRequest r) {
            ctx.channel().config().setAutoRead(false);
            new Exchange(ctx, false, false, identity).error(413, "the request body of " + r.method().name() + " "
                    + Router.unversioned(new QueryStringDecoder(r.uri()).path()) + " is larger than " + (MAX_WHOLE_BODY >> 20)
                    + " MiB, the limit for request bodies read whole (only docker cp and docker load bodies are streamed)");
        }

        private static void continueIfExpected(ChannelHandlerContext ctx, HttpRequest r) {
            if (HttpUtil.is100ContinueExpected(r)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (stream != null) {
                stream.broken();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (stream != null) {
                    stream.broken();
                }
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
