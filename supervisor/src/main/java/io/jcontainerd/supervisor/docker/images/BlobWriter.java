package io.jcontainerd.supervisor.docker.images;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.UpdateRequest;
import io.jcontainerd.api.services.content.v1.WriteAction;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.supervisor.docker.Containerd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Blobs written into the content store through the Content service, as a containerd client does
 * (one Write stream per blob: WRITE chunks of 1 MiB, COMMIT with the expected digest, so the
 * store checks it), under a lease; a blob already there only gets its labels.
 */
final class BlobWriter {
    private static final Object DONE = new Object();
    private final Containerd cd;
    private final String lease;

    BlobWriter(Containerd cd, String lease) {
        this.cd = cd;
        this.lease = lease;
    }

    void write(String digest, Path file, long size, Map<String, String> labels) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            write(digest, in, size, labels);
        }
    }

    void write(String digest, byte[] data, Map<String, String> labels) throws IOException {
        write(digest, new java.io.ByteArrayInputStream(data), data.length, labels);
    }

    private void write(String digest, InputStream in, long size, Map<String, String> labels) throws IOException {
        if (exists(digest)) {
            label(digest, labels);
            return;
        }
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<WriteContentRequest> requests = cd.leased(ContentGrpc.newStub(cd.channel()), lease)
                .write(new StreamObserver<>() {
                    @Override
                    public void onNext(WriteContentResponse value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answers.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        answers.add(DONE);
                    }
                });
        String ref = "docker-load-" + UUID.randomUUID();
        byte[] buf = new byte[1 << 20];
        long offset = 0;
        try {
            int n;
            boolean first = true;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                WriteContentRequest.Builder b = WriteContentRequest.newBuilder().setAction(WriteAction.WRITE)
                        .setOffset(offset).setData(ByteString.copyFrom(buf, 0, n));
                if (first) {
                    b.setRef(ref).setTotal(size);
                    first = false;
                }
                requests.onNext(b.build());
                answer(answers, digest);
                offset += n;
            }
            WriteContentRequest.Builder commit = WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT)
                    .setOffset(offset).setTotal(size).setExpected(digest).putAllLabels(labels);
            if (offset == 0) {
                commit.setRef(ref);
            }
            requests.onNext(commit.build());
            answer(answers, digest);
            requests.onCompleted();
        } catch (RuntimeException | IOException e) {
            requests.onError(Status.CANCELLED.withDescription("docker load failed").asRuntimeException());
            throw e;
        }
    }

    private static void answer(BlockingQueue<Object> answers, String digest) throws IOException {
        Object a;
        try {
            a = answers.poll(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + digest, e);
        }
        if (a instanceof WriteContentResponse) {
            return;
        }
        if (a instanceof StatusRuntimeException e) {
            throw e;
        }
        if (a instanceof Throwable t) {
            throw new IOException("writing " + digest + " failed: " + t.getMessage(), t);
        }
        throw new IOException(a == null ? "the content store did not answer within 60 s while writing " + digest
                : "the content store ended the write of " + digest + " early");
    }

    boolean exists(String digest) {
        try {
            cd.content().info(InfoRequest.newBuilder().setDigest(digest).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** Adds labels to a blob that is there already. */
    void label(String digest, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return;
        }
        FieldMask.Builder mask = FieldMask.newBuilder();
        labels.keySet().forEach(k -> mask.addPaths("labels." + k));
        cd.leased(cd.content(), lease).update(UpdateRequest.newBuilder()
                .setInfo(Info.newBuilder().setDigest(digest).putAllLabels(labels)).setUpdateMask(mask).build());
    }
}
