package io.jcontainerd.shim;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.api.shim.v1.ShimGrpc;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A connection to one shim's socket, for the supervisor. Share one {@link EventLoopGroup} among
 * all shims' clients ({@link #connect(Path, EventLoopGroup)}); the one-argument form makes its own.
 */
public final class ShimClient implements AutoCloseable {
    private final Path socket;
    private final ManagedChannel channel;
    private final EventLoopGroup ownGroup;

    private ShimClient(Path socket, ManagedChannel channel, EventLoopGroup ownGroup) {
        this.socket = socket;
        this.channel = channel;
        this.ownGroup = ownGroup;
    }

    public static ShimClient connect(Path socket, EventLoopGroup group) {
        return new ShimClient(socket, channel(socket, group), null);
    }

    public static ShimClient connect(Path socket) {
        EventLoopGroup group = new EpollEventLoopGroup(1);
        return new ShimClient(socket, channel(socket, group), group);
    }

    /** Connects to the shim whose address is recorded in {@code bundle} ({@code shim.address}). */
    public static ShimClient forBundle(Path bundle, EventLoopGroup group) {
        return connect(ShimFiles.address(bundle), group);
    }

    private static ManagedChannel channel(Path socket, EventLoopGroup group) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .usePlaintext()
                .build();
    }

    public Path socket() {
        return socket;
    }

    public ShimGrpc.ShimBlockingStub blocking() {
        return ShimGrpc.newBlockingStub(channel);
    }

    public ShimGrpc.ShimStub async() {
        return ShimGrpc.newStub(channel);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        }
    }
}
