package io.jcontainerd.supervisor.daemon;

import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real daemon, started through bin/jcontainerd: serving, stopping, and every start-up refusal. */
class DaemonStartupIT {
    @TempDir
    Path dir;

    @Test
    void servesOnA0660SocketAndStopsCleanlyOnSigterm() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket()))).isEqualTo("rw-rw----");
            assertThat(Files.isDirectory(d.root().resolve("meta"))).isTrue();
            d.awaitLog("jcontainerd serving on " + d.socket());
        } finally {
            int exit = d.stop();
            assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
        }
        assertThat(d.socket()).doesNotExist();
        assertThat(d.log()).contains("jcontainerd stopped");
    }

    @Test
    void answersItsFirstCallsOnUnpooledBuffersWithoutSettingUpJfrForNettysBufferEvents() throws Exception {
        Path classInit = dir.resolve("class-init.log");
        try (DaemonProcess d = DaemonProcess.startThrough(List.of("env", "JCD_JAVA_OPTS=-Xlog:class+init=info:file=" + classInit), dir);
             UnixGrpcChannel ch = new UnixGrpcChannel(d.socket())) {
            assertThat(VersionGrpc.newBlockingStub(ch.raw()).version(Empty.getDefaultInstance()).getVersion()).isNotEmpty();
        }
        String initialised = Files.readString(classInit);
        assertThat(initialised).as("netty's unpooled allocator served the calls (bin/jcontainerd: direct buffers freed once used)")
                .contains("'io/grpc/netty/shaded/io/netty/buffer/UnpooledByteBufAllocator'")
                .doesNotContain("'io/grpc/netty/shaded/io/netty/buffer/PoolChunk'");
        assertThat(initialised).as("JFR's event machinery (its metadata and generated event classes) for netty's events")
                .doesNotContain("'jdk/jfr/Event'").doesNotContain("AllocateChunkEvent");
    }

    @Test
    void aResponseLargerThanGrpcMaxSendMessageSizeIsResourceExhausted() throws Exception {
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"), "[grpc]\nmax_send_message_size = 8\n[shim]\nspare = false\n");
        try (DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString());
             UnixGrpcChannel ch = new UnixGrpcChannel(d.socket())) {
            assertThatThrownBy(() -> VersionGrpc.newBlockingStub(ch.raw()).version(Empty.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription()).startsWith("grpc: trying to send message larger than max (").endsWith(" vs. 8)");
                    });
            assertThat(HealthGrpc.newBlockingStub(ch.raw()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .as("a 2-byte response is under the limit").isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @Test
    void refusesASocketAlreadyServedByALiveDaemonWithoutStealingIt() {
        try (DaemonProcess first = DaemonProcess.start(dir.resolve("a"))) {
            Cli.Result second = DaemonProcess.runExpectingExit(dir.resolve("b/root"), first.state());
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err().strip()).hasLineCount(1)
                    .contains(first.socket().toString()).contains("already served by a running daemon");
            assertThat(DaemonProcess.answers(first.socket())).isTrue();
        }
    }

    @Test
    void removesAStaleSocketAndServes() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path sock = state.resolve("jcontainerd.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(sock));
        }
        assertThat(sock).exists();
        try (DaemonProcess d = DaemonProcess.start(dir)) {
            d.awaitLog("removed stale socket " + sock);
            assertThat(DaemonProcess.answers(sock)).isTrue();
        }
    }

    @Test
    void helpAndVersionAnswerAndAnUnknownOptionIsRefusedWithNothingStarted() {
        Path root = dir.resolve("root"), state = dir.resolve("state");
        Cli.Result help = DaemonProcess.runExpectingExit(root, state, "--help");
        assertThat(help.exit()).as(help.toString()).isZero();
        assertThat(help.out()).contains("Usage: jcontainerd").contains("--address").contains("--config").contains("--root");
        Cli.Result version = DaemonProcess.runExpectingExit(root, state, "-V");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("jcontainerd ").contains("containerd API");
        Cli.Result unknown = DaemonProcess.runExpectingExit(root, state, "--bogus");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'").contains("Usage: jcontainerd");
        assertThat(state.resolve("jcontainerd.sock")).as("no daemon started").doesNotExist();
        assertThat(root.resolve("meta")).as("no database opened").doesNotExist();
    }

    @Test
    void refusesARootThatIsNotWritable() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Cli.Result r = DaemonProcess.runExpectingExit(file.resolve("root"), dir.resolve("state"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).hasLineCount(1).contains("root directory " + file.resolve("root"))
                .contains("is not writable");
    }

    @Test
    void refusesAMetadataDatabaseLockedByAnotherDaemon() {
        try (DaemonProcess first = DaemonProcess.start(dir)) {
            Cli.Result second = DaemonProcess.runExpectingExit(first.root(), dir.resolve("state2"));
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err().strip()).hasLineCount(1).contains("locked by another process")
                    .contains(first.root().resolve("meta").toString());
            assertThat(dir.resolve("state2/jcontainerd.sock")).doesNotExist();
        }
    }

    @Test
    void refusesAForeignMetadataDirectoryAndLeavesItUntouched() throws Exception {
        Path meta = Files.createDirectories(dir.resolve("root/meta"));
        Files.writeString(meta.resolve("precious.txt"), "keep me");
        Cli.Result r = DaemonProcess.runExpectingExit(dir.resolve("root"), dir.resolve("state"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).hasLineCount(1).contains("is not a RocksDB database");
        try (var files = Files.list(meta)) {
            assertThat(files).containsExactly(meta.resolve("precious.txt"));
        }
        assertThat(Files.readString(meta.resolve("precious.txt"))).isEqualTo("keep me");
    }

    @Test
    void refusesAnUnknownConfigKeyNamingIt() throws Exception {
        Path cfg = Files.writeString(dir.resolve("jcontainerd.toml"), "[grpc]\nadress = \"/x\"\n");
        Cli.Result r = DaemonProcess.runExpectingExit(dir.resolve("root"), dir.resolve("state"), "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).hasLineCount(1).contains("adress").contains(cfg.toString());
    }
}
