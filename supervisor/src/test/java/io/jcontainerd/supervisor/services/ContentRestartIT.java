package io.jcontainerd.supervisor.services;

import com.google.protobuf.ByteString;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.content.v1.StatusRequest;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.leases.v1.ListResourcesRequest;
import io.jcontainerd.api.services.leases.v1.Resource;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** What a client wrote survives a daemon killed with SIGKILL: the ingest resumes, leased blobs and leases stay. */
class ContentRestartIT {
    private static final String NS = "restart-it";

    @TempDir
    Path dir;

    @Test
    void anIngestResumesAfterTheDaemonIsKilledAndLeasedContentSurvivesTheStartUpCollection() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(3).nextBytes(data);
        String digest = Digest.of(data).toString();
        byte[] kept = "leased before the crash".getBytes();
        String keptDigest = Digest.of(kept).toString();
        int half = 3 << 19;

        try (DaemonProcess first = start(); UnixGrpcChannel ch = new UnixGrpcChannel(first.socket())) {
            LeasesGrpc.newBlockingStub(ch.namespaced(NS)).create(CreateRequest.newBuilder().setId("pull").build());
            try (WriteStream w = new WriteStream(ch.leased(NS, "pull"))) {
                w.stat("kept", kept.length, keptDigest);
                w.write(0, kept);
                w.commit(kept.length, kept.length, keptDigest);
                w.awaitEnd();
            }
            try (WriteStream w = new WriteStream(ch.leased(NS, "pull"))) {
                w.stat("big", data.length, digest);
                w.write(0, Arrays.copyOf(data, half));
            }
            first.kill(); // the WRITE was answered, so its bytes are in the ingest file
        }

        try (DaemonProcess second = start(); UnixGrpcChannel ch = new UnixGrpcChannel(second.socket())) {
            // a collection runs before this answers (the start-up one may not have yet: this one sees the same state)
            var leases = LeasesGrpc.newBlockingStub(ch.namespaced(NS));
            leases.create(CreateRequest.newBuilder().setId("collect-now").build());
            leases.delete(io.jcontainerd.api.services.leases.v1.DeleteRequest.newBuilder().setId("collect-now").setSync(true).build());
            var content = ContentGrpc.newBlockingStub(ch.leased(NS, "pull"));
            assertThat(content.info(InfoRequest.newBuilder().setDigest(keptDigest).build()).getInfo().getSize())
                    .isEqualTo(kept.length);
            assertThat(LeasesGrpc.newBlockingStub(ch.namespaced(NS)).listResources(ListResourcesRequest.newBuilder()
                    .setId("pull").build()).getResourcesList())
                    .contains(Resource.newBuilder().setType("content").setId(keptDigest).build());
            assertThat(content.status(StatusRequest.newBuilder().setRef("big").build()).getStatus().getOffset()).isEqualTo(half);

            try (WriteStream w = new WriteStream(ch.leased(NS, "pull"))) {
                long offset = w.stat("big", data.length, digest).getOffset();
                assertThat(offset).isEqualTo(half);
                w.write(offset, Arrays.copyOfRange(data, half, data.length));
                assertThat(w.commit(data.length, data.length, digest).getDigest()).isEqualTo(digest);
                w.awaitEnd();
            }
            ByteString read = ByteString.EMPTY;
            var it = content.read(ReadContentRequest.newBuilder().setDigest(digest).build());
            while (it.hasNext()) {
                read = read.concat(it.next().getData());
            }
            assertThat(read.toByteArray()).isEqualTo(data);
        }
    }

    private DaemonProcess start() {
        return DaemonProcess.start(dir.resolve("root"), dir.resolve("state"), dir.resolve("daemon.log"));
    }
}
