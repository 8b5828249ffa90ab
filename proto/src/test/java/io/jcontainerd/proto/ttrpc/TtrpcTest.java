package io.jcontainerd.proto.ttrpc;

import com.google.protobuf.StringValue;
import io.jcontainerd.api.ttrpc.Request;
import io.jcontainerd.api.ttrpc.Response;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.errdefs.NotImplementedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ttrpc client and server against each other and against frames written by hand, on real unix sockets. */
class TtrpcTest {
    private static final String SERVICE = "test.v1.Echo";
    private static final Duration LONG = Duration.ofSeconds(30);

    private Path dir;
    private Path socket;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch afterAnswer = new CountDownLatch(1);

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "jcd-ttrpc");
        socket = dir.resolve("t.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private TtrpcServer serve() throws IOException {
        TtrpcService echo = new TtrpcService(SERVICE)
                .unary("Upper", StringValue.parser(), (request, call) -> StringValue.of(request.getValue().toUpperCase()))
                .unary("Meta", StringValue.parser(), (request, call) -> StringValue.of(String.valueOf(call.metadata(request.getValue()))))
                .unary("Missing", StringValue.parser(), (request, call) -> {
                    throw JcdException.notFound("thing %s: not found", request.getValue());
                })
                .unary("Blocked", StringValue.parser(), (request, call) -> {
                    release.await();
                    return StringValue.of("released " + request.getValue());
                })
                .unary("After", StringValue.parser(), (request, call) -> {
                    call.afterResponse(afterAnswer::countDown);
                    return StringValue.of("answered");
                });
        TtrpcServer server = TtrpcServer.start(socket, List.of(echo));
        open.add(server);
        return server;
    }

    private TtrpcClient client() {
        TtrpcClient client = TtrpcClient.connect(socket);
        open.add(client);
        return client;
    }

    @Test
    void answersCallsAndCarriesMetadata() throws Exception {
        serve();
        TtrpcClient client = client();
        assertThat(client.call(SERVICE, "Upper", StringValue.of("hello"), StringValue.parser(), LONG).getValue()).isEqualTo("HELLO");
        assertThat(client.call(SERVICE, "Meta", StringValue.of("containerd-namespace"), StringValue.parser(), LONG,
                Map.of("containerd-namespace", "k8s.io")).getValue()).isEqualTo("k8s.io");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
    }

    @Test
    void anErrorArrivesAsItsKindWithTheServersMessage() throws Exception {
        serve();
        TtrpcClient client = client();
        assertThatThrownBy(() -> client.call(SERVICE, "Missing", StringValue.of("x"), StringValue.parser(), LONG))
                .isInstanceOf(NotFoundException.class).hasMessage("thing x");
        assertThatThrownBy(() -> client.call(SERVICE, "Nope", StringValue.of("x"), StringValue.parser(), LONG))
                .isInstanceOf(NotImplementedException.class).hasMessageContaining(SERVICE + "/Nope is not served");
        assertThatThrownBy(() -> client.call("other.Service", "Upper", StringValue.of("x"), StringValue.parser(), LONG))
                .isInstanceOf(NotImplementedException.class).hasMessageContaining("other.Service/Upper");
        assertThat(client.call(SERVICE, "Upper", StringValue.of("still"), StringValue.parser(), LONG).getValue())
                .as("the connection serves on after errors").isEqualTo("STILL");
    }

    @Test
    void callsOnOneConnectionAreAnsweredIndependently() throws Exception {
        serve();
        TtrpcClient client = client();
        CompletableFuture<String> blocked = CompletableFuture.supplyAsync(
                () -> client.call(SERVICE, "Blocked", StringValue.of("first"), StringValue.parser(), LONG).getValue());
        for (int i = 0; i < 50; i++) {
            assertThat(client.call(SERVICE, "Upper", StringValue.of("n" + i), StringValue.parser(), LONG).getValue()).isEqualTo("N" + i);
        }
        assertThat(blocked).isNotDone();
        release.countDown();
        assertThat(blocked.get(30, TimeUnit.SECONDS)).isEqualTo("released first");
    }

    @Test
    void aCallWithoutAnAnswerInTimeFailsAndTheConnectionServesOn() throws Exception {
        serve();
        TtrpcClient client = client();
        assertThatThrownBy(() -> client.call(SERVICE, "Blocked", StringValue.of("x"), StringValue.parser(), Duration.ofMillis(200)))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.DEADLINE_EXCEEDED))
                .hasMessageContaining(SERVICE + "/Blocked");
        release.countDown();
        assertThat(client.call(SERVICE, "Upper", StringValue.of("after"), StringValue.parser(), LONG).getValue()).isEqualTo("AFTER");
    }

    @Test
    void theActionAfterAnAnswerRunsOnceItWasSent() throws Exception {
        serve();
        assertThat(client().call(SERVICE, "After", StringValue.of(""), StringValue.parser(), LONG).getValue()).isEqualTo("answered");
        assertThat(afterAnswer.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aServerThatStopsFailsWaitingAndLaterCallsAsGone() throws Exception {
        TtrpcServer server = serve();
        TtrpcClient client = client();
        CompletableFuture<String> blocked = CompletableFuture.supplyAsync(
                () -> client.call(SERVICE, "Blocked", StringValue.of("x"), StringValue.parser(), LONG).getValue());
        assertThat(client.call(SERVICE, "Upper", StringValue.of("up"), StringValue.parser(), LONG).getValue()).isEqualTo("UP");
        server.stop(0);
        assertThat(blocked).failsWithin(30, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
                .havingRootCause().isInstanceOf(TtrpcException.class);
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.call(SERVICE, "Upper", StringValue.of("x"), StringValue.parser(), LONG))
                .isInstanceOf(TtrpcException.class).hasMessageContaining(socket.toString());
        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> TtrpcClient.connect(socket)).isInstanceOf(TtrpcException.class).hasMessageContaining(socket.toString());
    }

    @Test
    void theRequestOnTheWireIsTtrpcs() throws Exception {
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(socket));
            TtrpcClient client = client();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(
                    () -> client.call(SERVICE, "Upper", StringValue.of("wire"), StringValue.parser(), LONG).getValue());
            try (SocketChannel peer = raw.accept()) {
                ByteBuffer header = readFully(peer, 10);
                int length = header.getInt();
                assertThat(header.getInt()).as("a client's first stream id").isEqualTo(1);
                assertThat(header.get()).as("type: request").isEqualTo((byte) 1);
                assertThat(header.get()).as("flags: unary").isZero();
                Request request = Request.parseFrom(readFully(peer, length));
                assertThat(request.getService()).isEqualTo(SERVICE);
                assertThat(request.getMethod()).isEqualTo("Upper");
                assertThat(request.getTimeoutNano()).isEqualTo(LONG.toNanos());
                assertThat(StringValue.parseFrom(request.getPayload()).getValue()).isEqualTo("wire");
                byte[] response = Response.newBuilder().setPayload(StringValue.of("WIRE").toByteString()).build().toByteArray();
                ByteBuffer frame = ByteBuffer.allocate(10 + response.length).putInt(response.length).putInt(1)
                        .put((byte) 2).put((byte) 0).put(response).flip();
                while (frame.hasRemaining()) {
                    peer.write(frame);
                }
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("WIRE");
            }
        }
    }

    @Test
    void aFrameAboveTheLimitEndsTheConnectionWithoutBeingRead() throws Exception {
        serve();
        try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer header = ByteBuffer.allocate(10).putInt(Frame.MAX_DATA + 1).putInt(1).put((byte) 1).put((byte) 0).flip();
            peer.write(header);
            assertThat(peer.read(ByteBuffer.allocate(16))).as("the server closed the connection").isEqualTo(-1);
        }
        assertThat(client().call(SERVICE, "Upper", StringValue.of("ok"), StringValue.parser(), LONG).getValue())
                .as("other connections are served").isEqualTo("OK");
    }

    @Test
    void anAnswerAboveTheLimitFailsTheConnectionOnTheClientSide() throws Exception {
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(socket));
            TtrpcClient client = client();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(
                    () -> client.call(SERVICE, "Upper", StringValue.of("x"), StringValue.parser(), LONG).getValue());
            try (SocketChannel peer = raw.accept()) {
                ByteBuffer header = readFully(peer, 10);
                readFully(peer, header.getInt());
                peer.write(ByteBuffer.allocate(10).putInt(-1).putInt(1).put((byte) 2).put((byte) 0).flip());
                assertThat(answer).failsWithin(30, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
                        .havingRootCause().isInstanceOf(TtrpcException.class).withMessageContaining("more than the");
            }
        }
    }

    @Test
    void aRequestThatIsNotARequestMessageGetsInvalidArgument() throws Exception {
        serve();
        try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
            peer.write(ByteBuffer.allocate(10 + garbage.length).putInt(garbage.length).putInt(7).put((byte) 1).put((byte) 0)
                    .put(garbage).flip());
            ByteBuffer header = readFully(peer, 10);
            int length = header.getInt();
            assertThat(header.getInt()).as("answered on the request's stream").isEqualTo(7);
            Response response = Response.parseFrom(readFully(peer, length));
            assertThat(response.getStatus().getCode()).isEqualTo(3);
            assertThat(response.getStatus().getMessage()).contains("not a valid ttrpc.Request");
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("ended after " + buffer.position() + " of " + n + " bytes");
            }
        }
        return buffer.flip();
    }
}
