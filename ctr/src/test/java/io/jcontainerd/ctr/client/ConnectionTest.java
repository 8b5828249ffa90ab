package io.jcontainerd.ctr.client;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.InfoResponse;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.content.v1.ReadContentResponse;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.proto.Namespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jctr's own gRPC client against the server the daemon runs (grpc-netty on a unix socket): unary and
 * streaming calls, flow control past every window, statuses, deadlines, the namespace header.
 */
class ConnectionTest {
    private static final int CHUNK = 1 << 20;

    @TempDir
    Path dir;
    private EpollEventLoopGroup group;
    private Server server;
    private Path socket;
    private final List<String> namespaces = new CopyOnWriteArrayList<>();
    /** The lease header of each call, null where none was sent. */
    private final List<String> leases = new CopyOnWriteArrayList<>();
    /** Counted down when the server has seen a call (its namespace header recorded). */
    private final CountDownLatch callSeen = new CountDownLatch(1);

    /** Info answers the digest back, NOT_FOUND for "missing", never for "slow"; Read streams `size` patterned bytes. */
    private final class FakeContent extends ContentGrpc.ContentImplBase {
        @Override
        public void info(InfoRequest request, StreamObserver<InfoResponse> observer) {
            switch (request.getDigest()) {
                case "missing" -> observer.onError(Status.NOT_FOUND.withDescription("content missing: not found (100% ünïcode)").asRuntimeException());
                case "slow" -> {
                    // never answers: the client's deadline ends the call
                }
                default -> {
                    observer.onNext(InfoResponse.newBuilder().setInfo(Info.newBuilder().setDigest(request.getDigest())).build());
                    observer.onCompleted();
                }
            }
        }

        @Override
        public void read(ReadContentRequest request, StreamObserver<ReadContentResponse> observer) {
            for (long off = 0; off < request.getSize(); off += CHUNK) {
                int n = (int) Math.min(CHUNK, request.getSize() - off);
                observer.onNext(ReadContentResponse.newBuilder().setOffset(off).setData(ByteString.copyFrom(pattern(off, n))).build());
            }
            observer.onCompleted();
        }

        @Override
        public StreamObserver<WriteContentRequest> write(StreamObserver<WriteContentResponse> observer) {
            return new StreamObserver<>() {
                long total;

                @Override
                public void onNext(WriteContentRequest r) {
                    assertArrayEquals(pattern(r.getOffset(), r.getData().size()), r.getData().toByteArray());
                    total += r.getData().size();
                    observer.onNext(WriteContentResponse.newBuilder().setOffset(total).build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    observer.onCompleted();
                }
            };
        }
    }

    static byte[] pattern(long offset, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((offset + i) * 31 >>> 3);
        }
        return b;
    }

    @BeforeEach
    void startServer() throws Exception {
        socket = dir.resolve("grpc.sock");
        group = new EpollEventLoopGroup(1);
        ServerInterceptor recordNamespace = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                namespaces.add(headers.get(Namespaces.NAMESPACE_HEADER));
                leases.add(headers.get(Namespaces.LEASE_HEADER));
                callSeen.countDown();
                return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
            }
        };
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(ServerInterceptors.intercept(new FakeContent(), recordNamespace))
                .build().start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
    }

    private Connection connect(Duration timeout) {
        return Connection.open(socket, "jctr-test-ns", timeout, Duration.ofSeconds(5));
    }

    @Test
    void unaryCallsAnswerAndCarryTheNamespace() {
        try (Connection c = connect(Duration.ofSeconds(30))) {
            var stub = ContentGrpc.newBlockingStub(c.channel());
            for (int i = 0; i < 3; i++) {
                assertEquals("sha256:" + i, stub.info(InfoRequest.newBuilder().setDigest("sha256:" + i).build()).getInfo().getDigest());
            }
        }
        assertEquals(List.of("jctr-test-ns", "jctr-test-ns", "jctr-test-ns"), namespaces);
    }

    @Test
    void anErrorStatusArrivesWithItsCodeAndDecodedMessage() {
        try (Connection c = connect(Duration.ofSeconds(30))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> ContentGrpc.newBlockingStub(c.channel()).info(InfoRequest.newBuilder().setDigest("missing").build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertEquals("content missing: not found (100% ünïcode)", e.getStatus().getDescription());
        }
    }

    @Test
    void aServerStreamOfManyMegabytesArrivesWholeAndInOrder() {
        long size = 24L * CHUNK + 12345; // past our 1 MB stream window many times, messages larger than a frame
        try (Connection c = connect(Duration.ofSeconds(60))) {
            Iterator<ReadContentResponse> it = ContentGrpc.newBlockingStub(c.channel())
                    .read(ReadContentRequest.newBuilder().setDigest("d").setSize(size).build());
            long got = 0;
            while (it.hasNext()) {
                ReadContentResponse r = it.next();
                assertEquals(got, r.getOffset());
                assertArrayEquals(pattern(got, r.getData().size()), r.getData().toByteArray());
                got += r.getData().size();
            }
            assertEquals(size, got);
            // the connection is still good for another call
            assertEquals("after", ContentGrpc.newBlockingStub(c.channel()).info(InfoRequest.newBuilder().setDigest("after").build()).getInfo().getDigest());
        }
    }

    @Test
    void aBidirectionalStreamSendsLargeMessagesInFramesAndHearsEachAnswer() throws Exception {
        try (Connection c = connect(Duration.ofSeconds(60))) {
            CompletableFuture<List<Long>> done = new CompletableFuture<>();
            List<Long> offsets = new CopyOnWriteArrayList<>();
            StreamObserver<WriteContentRequest> requests = ContentGrpc.newStub(c.channel()).write(new StreamObserver<>() {
                @Override
                public void onNext(WriteContentResponse r) {
                    offsets.add(r.getOffset());
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    done.complete(offsets);
                }
            });
            int n = 3 * CHUNK / 2; // larger than the server's initial windows and many frames each
            for (int i = 0; i < 3; i++) {
                requests.onNext(WriteContentRequest.newBuilder().setOffset((long) i * n).setData(ByteString.copyFrom(pattern((long) i * n, n))).build());
            }
            requests.onCompleted();
            assertEquals(List.of((long) n, 2L * n, 3L * n), done.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aCallPastItsTimeoutEndsDeadlineExceeded() {
        try (Connection c = connect(Duration.ofMillis(300))) {
            long start = System.nanoTime();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> ContentGrpc.newBlockingStub(c.channel()).info(InfoRequest.newBuilder().setDigest("slow").build()));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
            // later calls on the connection still work
            assertEquals("ok", ContentGrpc.newBlockingStub(c.channel()).info(InfoRequest.newBuilder().setDigest("ok").build()).getInfo().getDigest());
        }
    }

    @Test
    void aServiceTheServerLacksIsUnimplemented() {
        try (Connection c = connect(Duration.ofSeconds(30))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> VersionGrpc.newBlockingStub(c.channel()).version(com.google.protobuf.Empty.getDefaultInstance()));
            assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        }
    }

    @Test
    void aServerThatShutsDownEndsTheOpenCallAsGrpcJavaWould() throws Exception {
        try (Connection c = connect(Duration.ofSeconds(30))) {
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            ContentGrpc.newStub(c.channel()).info(InfoRequest.newBuilder().setDigest("slow").build(), new StreamObserver<>() {
                @Override
                public void onNext(InfoResponse r) {
                    failed.complete(null);
                }

                @Override
                public void onError(Throwable t) {
                    failed.complete(t);
                }

                @Override
                public void onCompleted() {
                }
            });
            assertFalse(failed.isDone());
            server.shutdownNow();
            Throwable t = failed.get(30, TimeUnit.SECONDS);
            // grpc-netty resets the stream (CANCEL: CANCELLED, as grpc-java's clients map it) or drops the connection (UNAVAILABLE)
            assertTrue(Set.of(Status.Code.CANCELLED, Status.Code.UNAVAILABLE).contains(Status.fromThrowable(t).getCode()), String.valueOf(t));
        }
    }

    /** A unary call through the generated-stub path: grpc-stub's blocking call on {@link Connection#channel()}. */
    private static <R> R viaChannel(Connection c, String fullMethodName, byte[] request, Connection.Parser<R> parser) {
        MethodDescriptor<byte[], R> method = MethodDescriptor.<byte[], R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(fullMethodName)
                .setRequestMarshaller(new MethodDescriptor.Marshaller<>() {
                    @Override
                    public InputStream stream(byte[] value) {
                        return new ByteArrayInputStream(value);
                    }

                    @Override
                    public byte[] parse(InputStream stream) {
                        try {
                            return stream.readAllBytes();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                })
                .setResponseMarshaller(new MethodDescriptor.Marshaller<>() {
                    @Override
                    public InputStream stream(R value) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public R parse(InputStream stream) {
                        try {
                            byte[] b = stream.readAllBytes();
                            return parser.parse(b, 0, b.length);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                })
                .build();
        return ClientCalls.blockingUnaryCall(c.channel(), method, CallOptions.DEFAULT, request);
    }

    /** What a call came to, as a user of either path sees it: the answer, or the status code and description. */
    private static String outcome(Supplier<?> call) {
        try {
            Object answer = call.get();
            return "answer " + (answer instanceof byte[] b ? HexFormat.of().formatHex(b) : answer);
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    private static final Connection.Parser<byte[]> BYTES = (b, off, len) -> Arrays.copyOfRange(b, off, off + len);

    @Test
    void theUnaryPathAnswersAsTheStubPathDoesAndCarriesTheNamespace() {
        String method = ContentGrpc.getInfoMethod().getFullMethodName();
        byte[] request = InfoRequest.newBuilder().setDigest("sha256:1").build().toByteArray();
        try (Connection c = connect(Duration.ofSeconds(30))) {
            String direct = outcome(() -> c.unary(method, request, BYTES));
            assertEquals(outcome(() -> viaChannel(c, method, request, BYTES)), direct);
            assertEquals("answer " + HexFormat.of().formatHex(InfoResponse.newBuilder()
                    .setInfo(Info.newBuilder().setDigest("sha256:1")).build().toByteArray()), direct);
            assertEquals("sha256:1", c.unary(method, request, (b, off, len) -> {
                try {
                    return InfoResponse.parseFrom(Arrays.copyOfRange(b, off, off + len)).getInfo().getDigest();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        assertEquals(List.of("jctr-test-ns", "jctr-test-ns", "jctr-test-ns"), namespaces);
        assertEquals(Namespaces.NAMESPACE_HEADER.name(), Connection.NAMESPACE_HEADER);
    }

    @Test
    void theUnaryPathFailsAsTheStubPathDoes() {
        String info = ContentGrpc.getInfoMethod().getFullMethodName();
        byte[] missing = InfoRequest.newBuilder().setDigest("missing").build().toByteArray();
        byte[] present = InfoRequest.newBuilder().setDigest("present").build().toByteArray();
        Connection.Parser<byte[]> refuses = (b, off, len) -> {
            throw new IllegalStateException("not an answer jctr reads");
        };
        String unimplemented = VersionGrpc.getVersionMethod().getFullMethodName();
        try (Connection c = connect(Duration.ofSeconds(30))) {
            String notFound = outcome(() -> c.unary(info, missing, BYTES));
            assertEquals("NOT_FOUND: content missing: not found (100% ünïcode)", notFound);
            assertEquals(outcome(() -> viaChannel(c, info, missing, BYTES)), notFound);

            String unparsable = outcome(() -> c.unary(info, present, refuses));
            assertEquals("INTERNAL: cannot parse the daemon's " + info + " answer: not an answer jctr reads", unparsable);
            assertEquals(outcome(() -> viaChannel(c, info, present, refuses)), unparsable);

            String absent = outcome(() -> c.unary(unimplemented, new byte[0], BYTES));
            assertTrue(absent.startsWith("UNIMPLEMENTED: "), absent);
            assertEquals(outcome(() -> viaChannel(c, unimplemented, new byte[0], BYTES)), absent);
            // and the connection still answers
            assertEquals(outcome(() -> viaChannel(c, info, present, BYTES)), outcome(() -> c.unary(info, present, BYTES)));
        }
    }

    @Test
    void startedCallsCarryTheirHeadersAndAreAnsweredWhicheverIsTakenFirst() {
        String info = ContentGrpc.getInfoMethod().getFullMethodName();
        try (Connection c = connect(Duration.ofSeconds(30))) {
            PendingCall<byte[]> first = c.start(info, List.of(new Connection.Header("containerd-lease", "lease-1")),
                    InfoRequest.newBuilder().setDigest("a").build().toByteArray(), BYTES);
            PendingCall<byte[]> second = c.start(info, List.of(),
                    InfoRequest.newBuilder().setDigest("b").build().toByteArray(), BYTES);
            PendingCall<byte[]> missing = c.start(info, List.of(),
                    InfoRequest.newBuilder().setDigest("missing").build().toByteArray(), BYTES);
            assertEquals(outcome(() -> viaChannel(c, info, InfoRequest.newBuilder().setDigest("b").build().toByteArray(), BYTES)),
                    outcome(second::await));
            assertEquals("NOT_FOUND: content missing: not found (100% ünïcode)", outcome(missing::await));
            assertEquals(outcome(() -> viaChannel(c, info, InfoRequest.newBuilder().setDigest("a").build().toByteArray(), BYTES)),
                    outcome(first::await));
        }
        assertEquals(Namespaces.LEASE_HEADER.name(), "containerd-lease");
        assertEquals(List.of("lease-1"), leases.stream().filter(java.util.Objects::nonNull).toList());
        assertEquals(List.of("jctr-test-ns", "jctr-test-ns", "jctr-test-ns", "jctr-test-ns", "jctr-test-ns"), namespaces);
    }

    @Test
    void theServerStreamPathReadsEveryMessageInOrderAsTheStubPathDoes() {
        String read = ContentGrpc.getReadMethod().getFullMethodName();
        long size = 5L * CHUNK + 777; // past the stream window, messages larger than a frame
        byte[] request = ReadContentRequest.newBuilder().setDigest("d").setSize(size).build().toByteArray();
        try (Connection c = connect(Duration.ofSeconds(60))) {
            List<Long> offsets = new ArrayList<>();
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            c.serverStream(read, request, (b, off, len) -> {
                try {
                    ReadContentResponse r = ReadContentResponse.parseFrom(Arrays.copyOfRange(b, off, off + len));
                    offsets.add(r.getOffset());
                    data.writeBytes(r.getData().toByteArray());
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            List<Long> expected = new ArrayList<>();
            for (long o = 0; o < size; o += CHUNK) {
                expected.add(o);
            }
            assertEquals(expected, offsets);
            assertArrayEquals(pattern(0, (int) size), data.toByteArray());

            // nothing to read is no answer at all, and no error
            c.serverStream(read, ReadContentRequest.newBuilder().setDigest("d").build().toByteArray(), (b, off, len) -> {
                throw new AssertionError("no message expected");
            });
            // a reader that gives up ends the call with its exception as the cause, and the connection still answers
            IllegalStateException enough = new IllegalStateException("enough");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.serverStream(read, request, (b, off, len) -> {
                throw enough;
            }));
            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
            assertEquals(enough, e.getCause());
            String present = ContentGrpc.getInfoMethod().getFullMethodName();
            byte[] ok = InfoRequest.newBuilder().setDigest("ok").build().toByteArray();
            assertEquals(outcome(() -> viaChannel(c, present, ok, BYTES)), outcome(() -> c.unary(present, ok, BYTES)));
        }
    }

    @Test
    void theUnaryPathEndsDeadlineExceededAtItsTimeout() {
        String info = ContentGrpc.getInfoMethod().getFullMethodName();
        byte[] slow = InfoRequest.newBuilder().setDigest("slow").build().toByteArray();
        try (Connection c = connect(Duration.ofMillis(300))) {
            long start = System.nanoTime();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.unary(info, slow, BYTES));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
            byte[] ok = InfoRequest.newBuilder().setDigest("ok").build().toByteArray();
            assertEquals(outcome(() -> viaChannel(c, info, ok, BYTES)), outcome(() -> c.unary(info, ok, BYTES)));
        }
    }

    @Test
    void theUnaryPathEndsWhenTheServerShutsDown() throws Exception {
        String info = ContentGrpc.getInfoMethod().getFullMethodName();
        byte[] slow = InfoRequest.newBuilder().setDigest("slow").build().toByteArray();
        try (Connection c = connect(Duration.ofSeconds(30))) {
            CompletableFuture<Throwable> failed = CompletableFuture.supplyAsync(() -> {
                try {
                    c.unary(info, slow, BYTES);
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            // the call is open once the server has seen it (at most 30 s, as before)
            callSeen.await(30, TimeUnit.SECONDS);
            assertFalse(failed.isDone());
            server.shutdownNow();
            Throwable t = failed.get(30, TimeUnit.SECONDS);
            assertTrue(t instanceof StatusRuntimeException, String.valueOf(t));
            assertTrue(Set.of(Status.Code.CANCELLED, Status.Code.UNAVAILABLE).contains(Status.fromThrowable(t).getCode()), String.valueOf(t));
        }
    }

    @Test
    void noDaemonIsOneClearError() {
        DaemonUnreachableException e = assertThrows(DaemonUnreachableException.class,
                () -> Connection.open(dir.resolve("absent.sock"), "ns", Duration.ofSeconds(1), Duration.ZERO));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
