package io.jcontainerd.shim;

import com.google.protobuf.Empty;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.events.v1.ForwardRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The supervisor's side of Events/Forward, recording every envelope a shim forwards. */
final class RecordingEventsServer implements AutoCloseable {
    final LinkedBlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    private final Server server;
    private final Path socket;

    RecordingEventsServer(Path socket) throws Exception {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(new EventsGrpc.EventsImplBase() {
                    @Override
                    public void forward(ForwardRequest request, StreamObserver<Empty> observer) {
                        received.add(request.getEnvelope());
                        observer.onNext(Empty.getDefaultInstance());
                        observer.onCompleted();
                    }
                })
                .build().start();
    }

    Envelope next(long seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
        Files.deleteIfExists(socket);
    }
}
