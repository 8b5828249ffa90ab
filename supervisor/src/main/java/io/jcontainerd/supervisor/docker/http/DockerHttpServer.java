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
import io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Docker API's HTTP/1.1 server on a unix socket (Netty's HTTP codec on epoll, mode 0660):
 * each request body is read whole (bounded), then handled on a virtual thread; the connection
 * reads nothing more until the answer is complete, so a hijacking handler gets every byte the
 * client sends after its request.
 */
public final class DockerHttpServer implements AutoCloseable {
    static final String CODEC = "http";
    static final String AGGREGATOR = "body";
    static final String HANDLER = "docker";
    private static final Logger LOG = Logger.getLogger(DockerHttpServer.class.getName());
    /** The largest request body read (docker cp and load bodies included). */
    static final int MAX_BODY = 512 << 20;

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
     * {@code dispatch} gets each request with its exchange, on a virtual thread.
     */
    public static DockerHttpServer start(Path path, Exchange.ServerIdentity identity, BiConsumer<Request, Exchange> dispatch) {
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        Path bound = path.resolveSibling("." + path.getFileName() + ".starting-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(bound);
            Channel server = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(CODEC, new HttpServerCodec(16 * 1024, 64 * 1024, 64 * 1024))
                                    .addLast(AGGREGATOR, new HttpObjectAggregator(MAX_BODY))
                                    .addLast(HANDLER, new RequestHandler(identity, dispatch));
                        }
                    })
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

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale socket is removed at the next start
        }
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Exchange.ServerIdentity identity;
        private final BiConsumer<Request, Exchange> dispatch;

        RequestHandler(Exchange.ServerIdentity identity, BiConsumer<Request, Exchange> dispatch) {
            this.identity = identity;
            this.dispatch = dispatch;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
            if (!msg.decoderResult().isSuccess()) {
                ctx.close();
                return;
            }
            ctx.channel().config().setAutoRead(false);
            QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
            Map<String, String> headers = new HashMap<>();
            msg.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            byte[] body = new byte[msg.content().readableBytes()];
            msg.content().readBytes(body);
            Request request = new Request(msg.method().name(), Router.unversioned(qs.path()), Map.of(),
                    qs.parameters(), headers, body);
            Exchange exchange = new Exchange(ctx, HttpUtil.isKeepAlive(msg), msg.method().name().equals("HEAD"), identity);
            Thread.ofVirtual().name("docker-api").start(() -> {
                try {
                    dispatch.accept(request, exchange);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "docker API " + request.method() + " " + request.path() + " failed", e);
                    ctx.close();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
