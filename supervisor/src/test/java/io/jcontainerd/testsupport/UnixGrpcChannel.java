package io.jcontainerd.testsupport;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.proto.Namespaces;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A plaintext gRPC channel over the daemon's unix socket, dialled as containerd's clients dial it (16 MiB messages). */
public final class UnixGrpcChannel implements AutoCloseable {
    private final EventLoopGroup group = new EpollEventLoopGroup(1);
    private final ManagedChannel channel;

    public UnixGrpcChannel(Path socket) {
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class)
                .usePlaintext().overrideAuthority("localhost").maxInboundMessageSize(16 << 20).build();
    }

    public Channel raw() {
        return channel;
    }

    /** The channel with the {@code containerd-namespace} header. */
    public Channel namespaced(String ns) {
        return ClientInterceptors.intercept(channel, Namespaces.namespaceInterceptor(ns));
    }

    /** The channel with the namespace and {@code containerd-lease} headers. */
    public Channel leased(String ns, String lease) {
        return ClientInterceptors.intercept(channel, Namespaces.namespaceAndLeaseInterceptor(ns, lease));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
