package io.jcontainerd.supervisor.services;

import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.content.v1.WriteAction;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.content.NamespacedWriter;
import io.jcontainerd.supervisor.grpc.RequestContext;

import java.util.Optional;

/**
 * One Content.Write stream, with containerd's server state machine (contentserver.go): the first
 * message names the ref and opens (or resumes) the ingest; every message is answered with the
 * echoed action and the current offset; an {@code expected} digest the namespace already has ends
 * the stream ALREADY_EXISTS; WRITE/COMMIT data must land at the current offset (OUT_OF_RANGE
 * otherwise) and offset 0 restarts; COMMIT verifies and ends the stream. A half-close without
 * COMMIT leaves the ingest resumable. gRPC delivers one message at a time, so no locking here.
 */
final class ContentWriteSession implements StreamObserver<WriteContentRequest> {
    private final NamespacedContentStore store;
    private final StreamObserver<WriteContentResponse> out;
    private String ns;
    private NamespacedWriter writer;
    private long total;
    private Digest expected;
    private boolean finished;

    ContentWriteSession(NamespacedContentStore store, StreamObserver<WriteContentResponse> out) {
        this.store = store;
        this.out = out;
    }

    @Override
    public void onNext(WriteContentRequest req) {
        if (finished) {
            return;
        }
        try {
            WriteContentResponse response = handle(req);
            out.onNext(response);
            if (req.getAction() == WriteAction.COMMIT) {
                finish(null);
            }
        } catch (RuntimeException e) {
            finish(e);
        }
    }

    private WriteContentResponse handle(WriteContentRequest req) {
        if (writer == null) {
            open(req);
        }
        WriteAction action = req.getAction();
        if (action == WriteAction.UNRECOGNIZED) {
            throw JcdException.invalidArgument("ingest \"%s\": unknown write action %d (use STAT, WRITE or COMMIT)",
                    writer.ref(), req.getActionValue());
        }
        IngestStatus status = writer.status();
        WriteContentResponse.Builder b = WriteContentResponse.newBuilder().setAction(action).setOffset(status.offset());
        if (!req.getExpected().isEmpty()) {
            expected = Digest.parse(req.getExpected());
            if (store.exists(ns, expected)) {
                String ref = writer.ref();
                writer.close();
                writer = null;
                abortQuietly(ref);
                throw JcdException.alreadyExists("blob with expected digest %s exists", expected);
            }
        }
        if (req.getTotal() > 0) {
            total = req.getTotal();
        }
        switch (action) {
            case STAT -> {
                b.setDigest(writer.digest().toString()).setTotal(total);
                Timestamps.setIfKnown(ContentProtos.known(status.startedAt()), b::setStartedAt);
                Timestamps.setIfKnown(ContentProtos.known(status.updatedAt()), b::setUpdatedAt);
            }
            case WRITE, COMMIT -> {
                if (req.getOffset() > 0 && req.getOffset() != status.offset()) {
                    throw GrpcErrors.outOfRange("write @%d must occur at current offset %d", req.getOffset(), status.offset());
                }
                if (req.getOffset() == 0 && status.offset() > 0) {
                    writer.truncate(0);
                    b.setOffset(0);
                }
                if (!req.getData().isEmpty()) {
                    writer.write(req.getData().asReadOnlyByteBuffer());
                    b.setOffset(b.getOffset() + req.getData().size());
                }
                if (action == WriteAction.COMMIT) {
                    ContentInfo info = writer.commit(total, expected, req.getLabelsMap());
                    b.setDigest(info.digest().toString()).setOffset(info.size()).setTotal(total);
                    Timestamps.setIfKnown(ContentProtos.known(status.startedAt()), b::setStartedAt);
                    Timestamps.setIfKnown(info.updatedAt(), b::setUpdatedAt);
                } else {
                    b.setDigest(writer.digest().toString());
                }
            }
            default -> throw new IllegalStateException("unreachable: " + action);
        }
        return b.build();
    }

    private void open(WriteContentRequest first) {
        if (first.getRef().isEmpty()) {
            throw JcdException.invalidArgument("first message must have a reference (ref), e.g. \"layer-sha256:...\"");
        }
        ns = RequestContext.namespace();
        Optional<String> lease = RequestContext.lease();
        total = Math.max(0, first.getTotal());
        expected = ContentProtos.optionalDigest(first.getExpected());
        writer = store.writer(ns, first.getRef(), total, expected, lease);
    }

    private void abortQuietly(String ref) {
        try {
            store.abort(ns, ref);
        } catch (JcdException alreadyGone) {
            // nothing was written under the ref
        }
    }

    private void finish(RuntimeException error) {
        finished = true;
        closeWriter();
        if (error == null) {
            out.onCompleted();
        } else {
            out.onError(GrpcErrors.toStatus(error));
        }
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(ContentWriteSession.class.getName())
                        .warning(() -> "closing ingest " + writer.ref() + ": " + e.getMessage());
            }
            writer = null;
        }
    }

    /** The client went away or cancelled: keep the ingest for a later resume. */
    @Override
    public void onError(Throwable t) {
        finished = true;
        closeWriter();
    }

    /** Half-close without COMMIT: the ingest stays resumable (Status shows its offset). */
    @Override
    public void onCompleted() {
        if (!finished) {
            finish(null);
        }
    }
}
