package io.jcontainerd.supervisor.services;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.ListContentRequest;
import io.jcontainerd.api.services.content.v1.ListContentResponse;
import io.jcontainerd.api.services.content.v1.ListStatusesRequest;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.content.v1.ReadContentResponse;
import io.jcontainerd.api.services.content.v1.StatusRequest;
import io.jcontainerd.api.services.content.v1.UpdateRequest;
import io.jcontainerd.api.services.content.v1.WriteAction;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.api.services.content.v1.DeleteContentRequest;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.leases.v1.ListResourcesRequest;
import io.jcontainerd.api.services.leases.v1.Resource;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.RunningDaemon;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Content service of a real daemon through grpc-java, edge cases of containerd's Write and Read protocol. */
class ContentServiceIT {
    private static final String NS = "content-it";
    private static final String LEASE = "content-it-lease";

    @RegisterExtension
    static final RunningDaemon DAEMON = new RunningDaemon();
    static DaemonProcess daemon;
    static UnixGrpcChannel channel;

    @BeforeAll
    static void takeLeases() {
        daemon = DAEMON.process();
        channel = DAEMON.channel();
        // held as real clients hold one, so the daemon's background collector leaves the test's blobs alone
        for (String ns : List.of(NS, "list-it")) {
            LeasesGrpc.newBlockingStub(channel.namespaced(ns)).create(CreateRequest.newBuilder().setId(LEASE).build());
        }
    }

    private static Channel ns() {
        return channel.leased(NS, LEASE);
    }

    private static ContentGrpc.ContentBlockingStub content() {
        return ContentGrpc.newBlockingStub(ns());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** STAT, WRITE, COMMIT in one stream; returns the committed digest. */
    private static String store(String ref, byte[] data) throws Exception {
        String digest = Digest.of(data).toString();
        try (WriteStream w = new WriteStream(ns())) {
            w.stat(ref, data.length, digest);
            w.write(0, data);
            WriteContentResponse done = w.commit(data.length, data.length, digest);
            assertThat(done.getDigest()).isEqualTo(digest);
            w.awaitEnd();
        }
        return digest;
    }

    @Test
    void statWriteCommitAnswersEachStepWithOffsetsDigestAndTimes() throws Exception {
        byte[] data = bytes("0123456789");
        String digest = Digest.of(data).toString();
        try (WriteStream w = new WriteStream(ns())) {
            WriteContentResponse stat = w.stat("steps", data.length, digest);
            assertThat(stat.getAction()).isEqualTo(WriteAction.STAT);
            assertThat(stat.getOffset()).isZero();
            assertThat(stat.getTotal()).isEqualTo(10);
            assertThat(Timestamps.toInstant(stat.getStartedAt())).isPresent();
            assertThat(Timestamps.toInstant(stat.getUpdatedAt())).isPresent();

            WriteContentResponse first = w.write(0, Arrays.copyOf(data, 4));
            assertThat(first.getAction()).isEqualTo(WriteAction.WRITE);
            assertThat(first.getOffset()).isEqualTo(4);
            WriteContentResponse second = w.write(4, Arrays.copyOfRange(data, 4, 10));
            assertThat(second.getOffset()).isEqualTo(10);

            WriteContentResponse commit = w.commit(10, 10, digest);
            assertThat(commit.getAction()).isEqualTo(WriteAction.COMMIT);
            assertThat(commit.getOffset()).isEqualTo(10);
            assertThat(commit.getDigest()).isEqualTo(digest);
            assertThat(Timestamps.toInstant(commit.getStartedAt())).isPresent();
            w.awaitEnd();
        }
        Info info = content().info(InfoRequest.newBuilder().setDigest(digest).build()).getInfo();
        assertThat(info.getSize()).isEqualTo(10);
    }

    @Test
    void statWithAnExpectedDigestAlreadyPresentEndsTheStreamAlreadyExists() throws Exception {
        byte[] data = bytes("already here");
        String digest = store("present-1", data);
        try (WriteStream w = new WriteStream(ns())) {
            Status s = w.sendExpectingError(WriteContentRequest.newBuilder().setAction(WriteAction.STAT).setRef("present-2")
                    .setTotal(data.length).setExpected(digest).build(), Status.Code.ALREADY_EXISTS);
            assertThat(s.getDescription()).contains(digest);
        }
        assertThat(content().listStatuses(ListStatusesRequest.newBuilder().addFilters("ref==present-2").build())
                .getStatusesList()).as("the ingest is not left behind").isEmpty();
    }

    @Test
    void aWriteAtAnOffsetOtherThanTheCurrentOneIsOutOfRange() throws Exception {
        try (WriteStream w = new WriteStream(ns())) {
            w.stat("gap", 0, "");
            w.write(0, bytes("abc"));
            Status s = w.sendExpectingError(WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setOffset(5)
                    .setData(ByteString.copyFromUtf8("def")).build(), Status.Code.OUT_OF_RANGE);
            assertThat(s.getDescription()).contains("write @5 must occur at current offset 3");
        }
    }

    @Test
    void offsetZeroWithDataPresentRestartsTheIngest() throws Exception {
        byte[] data = bytes("the real content");
        String digest = Digest.of(data).toString();
        try (WriteStream w = new WriteStream(ns())) {
            w.stat("restart", 0, "");
            w.write(0, bytes("garbage that will be dropped"));
            assertThat(w.write(0, data).getOffset()).isEqualTo(data.length);
            assertThat(w.commit(data.length, data.length, digest).getDigest()).isEqualTo(digest);
            w.awaitEnd();
        }
    }

    @Test
    void aCommitWithTheWrongDigestOrSizeIsFailedPreconditionAndStoresNothing() throws Exception {
        byte[] data = bytes("what was written");
        String claimed = Digest.of(bytes("what was promised")).toString();
        try (WriteStream w = new WriteStream(ns())) {
            w.stat("liar", 0, "");
            w.write(0, data);
            Status s = w.sendExpectingError(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT)
                    .setOffset(data.length).setExpected(claimed).build(), Status.Code.FAILED_PRECONDITION);
            assertThat(s.getDescription()).contains(claimed);
        }
        try (WriteStream w = new WriteStream(ns())) {
            w.stat("short", 0, "");
            w.write(0, data);
            w.sendExpectingError(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setTotal(data.length + 1)
                    .setOffset(data.length).build(), Status.Code.FAILED_PRECONDITION);
        }
        assertThatThrownBy(() -> content().info(InfoRequest.newBuilder().setDigest(claimed).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> content().info(InfoRequest.newBuilder().setDigest(Digest.of(data).toString()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void aHalfClosedIngestResumesFromTheOffsetStatusReports() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        String digest = Digest.of(data).toString();
        int half = data.length / 2;
        try (WriteStream w = new WriteStream(ns())) {
            w.stat("resumable", data.length, digest);
            w.write(0, Arrays.copyOf(data, 1 << 20));
            w.write(1 << 20, Arrays.copyOfRange(data, 1 << 20, half));
            w.halfClose();
        }
        var status = content().status(StatusRequest.newBuilder().setRef("resumable").build()).getStatus();
        assertThat(status.getOffset()).isEqualTo(half);
        assertThat(status.getTotal()).isEqualTo(data.length);
        assertThat(status.getExpected()).isEqualTo(digest);
        assertThat(content().listStatuses(ListStatusesRequest.newBuilder().addFilters("").build()).getStatusesList())
                .extracting(io.jcontainerd.api.services.content.v1.Status::getRef).contains("resumable");
        assertThat(ContentGrpc.newBlockingStub(channel.namespaced("elsewhere"))
                .listStatuses(ListStatusesRequest.getDefaultInstance()).getStatusesList()).isEmpty();

        try (WriteStream w = new WriteStream(ns())) {
            long resumeAt = w.stat("resumable", data.length, digest).getOffset();
            assertThat(resumeAt).isEqualTo(half);
            for (long off = resumeAt; off < data.length; off += 1 << 20) {
                int end = (int) Math.min(data.length, off + (1 << 20));
                w.write(off, Arrays.copyOfRange(data, (int) off, end));
            }
            assertThat(w.commit(data.length, data.length, digest).getDigest()).isEqualTo(digest);
            w.awaitEnd();
        }
        assertThat(readAll(ReadContentRequest.newBuilder().setDigest(digest).build())).isEqualTo(data);
    }

    @Test
    void theFirstMessageMustNameARefAndALockedRefIsUnavailable() throws Exception {
        try (WriteStream w = new WriteStream(ns())) {
            w.sendExpectingError(WriteContentRequest.newBuilder().setAction(WriteAction.STAT).build(), Status.Code.INVALID_ARGUMENT);
        }
        try (WriteStream holder = new WriteStream(ns()); WriteStream second = new WriteStream(ns())) {
            holder.stat("locked", 0, "");
            second.sendExpectingError(WriteContentRequest.newBuilder().setAction(WriteAction.STAT).setRef("locked").build(),
                    Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void readStreamsChunksOfAtMostOneMebibyteFromTheOffsetForTheSize() throws Exception {
        byte[] data = new byte[(5 << 19) + 123];
        new Random(1).nextBytes(data);
        String digest = store("big-read", data);

        List<ReadContentResponse> chunks = new ArrayList<>();
        content().read(ReadContentRequest.newBuilder().setDigest(digest).build()).forEachRemaining(chunks::add);
        assertThat(chunks).hasSize(3).allSatisfy(c -> assertThat(c.getData().size()).isLessThanOrEqualTo(1 << 20));
        assertThat(chunks.get(1).getOffset()).isEqualTo(1 << 20);

        byte[] part = readAll(ReadContentRequest.newBuilder().setDigest(digest).setOffset(1000).setSize(2 << 20).build());
        assertThat(part).isEqualTo(Arrays.copyOfRange(data, 1000, 1000 + (2 << 20)));
        byte[] tail = readAll(ReadContentRequest.newBuilder().setDigest(digest).setOffset(data.length - 10).setSize(999).build());
        assertThat(tail).isEqualTo(Arrays.copyOfRange(data, data.length - 10, data.length));
        assertThatThrownBy(() -> readAll(ReadContentRequest.newBuilder().setDigest(digest).setOffset(data.length + 1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE));

        // a manifest-sized blob is read where the call runs (the event loop), a range past 64 KiB on virtual threads
        byte[] small = Arrays.copyOf(data, 3000);
        String smallDigest = store("small-read", small);
        assertThat(readAll(ReadContentRequest.newBuilder().setDigest(smallDigest).build())).isEqualTo(small);
        assertThat(readAll(ReadContentRequest.newBuilder().setDigest(digest).setOffset(7).setSize(64 << 10).build()))
                .isEqualTo(Arrays.copyOfRange(data, 7, 7 + (64 << 10)));
        assertThat(readAll(ReadContentRequest.newBuilder().setDigest(digest).setOffset(7).setSize((64 << 10) + 1).build()))
                .isEqualTo(Arrays.copyOfRange(data, 7, 7 + (64 << 10) + 1));
    }

    @Test
    void aReadCancelledMidwayLeavesTheDaemonServing() throws Exception {
        byte[] data = new byte[8 << 20];
        String digest = store("cancelled-read", data);
        for (int i = 0; i < 5; i++) {
            try (Context.CancellableContext ctx = Context.current().withCancellation()) {
                Iterator<ReadContentResponse> it = ctx.call(() -> content().read(ReadContentRequest.newBuilder().setDigest(digest).build()));
                assertThat(it.next().getData().size()).isEqualTo(1 << 20);
                ctx.cancel(null);
            }
        }
        assertThat(content().info(InfoRequest.newBuilder().setDigest(digest).build()).getInfo().getSize()).isEqualTo(data.length);
        // grpc-java's Netty handler may warn "Stream closed before write could take place" when a
        // cancellation races a queued chunk; nothing of ours may complain.
        assertThat(daemon.log().lines().filter(l -> l.matches(".*level=(warning|error).*"))
                .filter(l -> !l.contains("module=NettyServerHandler"))).isEmpty();
    }

    @Test
    void listStreamsInBlocksOfAHundredAndFiltersByLabels() throws Exception {
        for (int i = 0; i < 150; i++) {
            store("many-" + i, bytes("blob number " + i));
        }
        String one = Digest.of(bytes("blob number 7")).toString();
        content().update(UpdateRequest.newBuilder().setInfo(Info.newBuilder().setDigest(one).putLabels("pick", "me"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("labels.pick")).build());

        Channel other = channel.leased("list-it", LEASE);
        for (int i = 0; i < 150; i++) {
            byte[] b = bytes("listed " + i);
            String d = Digest.of(b).toString();
            try (WriteStream w = new WriteStream(other)) {
                w.stat("l-" + i, b.length, d);
                w.write(0, b);
                w.commit(b.length, b.length, d);
                w.awaitEnd();
            }
        }
        List<ListContentResponse> blocks = new ArrayList<>();
        ContentGrpc.newBlockingStub(other).list(ListContentRequest.getDefaultInstance()).forEachRemaining(blocks::add);
        assertThat(blocks).extracting(ListContentResponse::getInfoCount).containsExactly(100, 50);

        List<ListContentResponse> picked = new ArrayList<>();
        content().list(ListContentRequest.newBuilder().addFilters("labels.pick==me").build()).forEachRemaining(picked::add);
        assertThat(picked).singleElement().satisfies(b -> assertThat(b.getInfo(0).getDigest()).isEqualTo(one));
    }

    @Test
    void deletedContentLeavesTheDiskShortlyAfterInTheBackground() throws Exception {
        byte[] data = bytes("to be deleted");
        String digest = store("deleted", data);
        Path file = blobFile(digest);
        assertThat(file).exists();

        content().delete(DeleteContentRequest.newBuilder().setDigest(digest).build());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(file).as("removed by the background collector within 10 s").doesNotExist();
        assertThatThrownBy(() -> content().info(InfoRequest.newBuilder().setDigest(digest).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void leasesDeleteWithSyncCollectsTheLeasesBlobsBeforeAnswering() throws Exception {
        var leases = LeasesGrpc.newBlockingStub(channel.namespaced(NS));
        leases.create(CreateRequest.newBuilder().setId("doomed").build());
        byte[] data = bytes("only the doomed lease holds me");
        String digest = Digest.of(data).toString();
        try (WriteStream w = new WriteStream(channel.leased(NS, "doomed"))) {
            w.stat("doomed-blob", data.length, digest);
            w.write(0, data);
            w.commit(data.length, data.length, digest);
            w.awaitEnd();
        }
        assertThat(leases.listResources(ListResourcesRequest.newBuilder().setId("doomed").build()).getResourcesList())
                .contains(Resource.newBuilder().setType("content").setId(digest).build());
        assertThat(blobFile(digest)).exists();

        leases.delete(DeleteRequest.newBuilder().setId("doomed").setSync(true).build());

        assertThat(blobFile(digest)).doesNotExist();
    }

    private static Path blobFile(String digest) {
        return daemon.root().resolve("content/blobs/sha256").resolve(Digest.parse(digest).hex());
    }

    private static byte[] readAll(ReadContentRequest req) {
        ByteString all = ByteString.EMPTY;
        Iterator<ReadContentResponse> it = content().read(req);
        while (it.hasNext()) {
            all = all.concat(it.next().getData());
        }
        return all.toByteArray();
    }
}
