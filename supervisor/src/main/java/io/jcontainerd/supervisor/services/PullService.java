package io.jcontainerd.supervisor.services;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.pull.v1.BlobStatus;
import io.jcontainerd.api.pull.v1.Done;
import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.api.pull.v1.Unpacked;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Platform;
import io.jcontainerd.content.pull.PlatformSelection;
import io.jcontainerd.content.pull.PullProgress;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.images.ImageTarget;
import io.jcontainerd.supervisor.metrics.PullMetrics;
import io.jcontainerd.supervisor.pull.PullObserver;
import io.jcontainerd.supervisor.pull.PullOutcome;
import io.jcontainerd.supervisor.pull.PullSpec;
import io.jcontainerd.supervisor.pull.ServerPull;
import io.jcontainerd.supervisor.pull.UnpackedImage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * jcontainerd.pull.v1.Pull over {@link ServerPull}: streams blob progress (download events
 * thinned to one per blob per {@value #PROGRESS_INTERVAL_MS} ms; phase changes always) and ends
 * with Done. A client that goes away cancels the pull; partial downloads stay for a resume.
 */
public final class PullService extends PullGrpc.PullImplBase {
    static final long PROGRESS_INTERVAL_MS = 100;
    private final ServerPull pull;
    private final PullMetrics metrics;

    public PullService(ServerPull pull, PullMetrics metrics) {
        this.pull = pull;
        this.metrics = metrics;
    }

    @Override
    public void pull(PullRequest req, StreamObserver<PullEvent> observer) {
        ServerCallStreamObserver<PullEvent> call = (ServerCallStreamObserver<PullEvent>) observer;
        call.setOnCancelHandler(() -> { });
        Stream stream = new Stream(call);
        PullOutcome outcome;
        long started = System.nanoTime();
        try {
            outcome = pull.pull(RequestContext.namespace(), spec(req), stream, req.hasAuth() ? PullLogin.of(req.getAuth()) : null);
            metrics.pulled(outcome);
        } catch (RuntimeException e) {
            metrics.failed(java.time.Duration.ofNanos(System.nanoTime() - started));
            if (!call.isCancelled()) {
                observer.onError(GrpcErrors.toStatus(e));
            }
            return;
        }
        if (call.isCancelled()) {
            return; // the image is pulled all the same; nobody is left to tell
        }
        call.onNext(PullEvent.newBuilder().setDone(done(outcome)).build());
        observer.onCompleted();
    }

    static PullSpec spec(PullRequest r) {
        PlatformSelection platforms = r.getAllPlatforms() ? PlatformSelection.all()
                : r.getPlatformsCount() == 0 ? PlatformSelection.host()
                : new PlatformSelection.Only(r.getPlatformsList().stream().map(Platform::parse).toList());
        if (r.getMaxConcurrentDownloads() < 0) {
            throw JcdException.invalidArgument("max_concurrent_downloads must not be negative, got %d", r.getMaxConcurrentDownloads());
        }
        return new PullSpec(r.getReference(), platforms, r.getUnpack(), r.getSnapshotter(), r.getMaxConcurrentDownloads());
    }

    static Done done(PullOutcome o) {
        ImageTarget t = o.image().target();
        Done.Builder b = Done.newBuilder().setName(o.image().name())
                .setTarget(Descriptor.newBuilder().setMediaType(t.mediaType()).setDigest(t.digest()).setSize(t.size())
                        .putAllAnnotations(t.annotations()))
                .setBytesDownloaded(o.download().bytesDownloaded())
                .setElapsedMs(o.elapsed().toMillis())
                .setUnpacked(o.isUnpacked())
                .setSnapshotter(o.snapshotter());
        for (UnpackedImage u : o.unpacked()) {
            b.addUnpackedImages(Unpacked.newBuilder().setPlatform(u.platform()).setManifestDigest(u.manifest().toString())
                    .setChainId(u.topChainId()));
        }
        return b.build();
    }

    /** The pull's events onto the response stream, thinned, serialised, and cancelled with the call. */
    private static final class Stream implements PullObserver {
        private final ServerCallStreamObserver<PullEvent> call;
        private final Map<String, Long> lastSent = new ConcurrentHashMap<>();

        Stream(ServerCallStreamObserver<PullEvent> call) {
            this.call = call;
        }

        @Override
        public void onProgress(PullProgress p) {
            BlobStatus.Phase phase = switch (p.phase()) {
                case RESOLVING -> BlobStatus.Phase.RESOLVING;
                case RESOLVED -> BlobStatus.Phase.RESOLVED;
                case WAITING -> BlobStatus.Phase.WAITING;
                case DOWNLOADING -> BlobStatus.Phase.DOWNLOADING;
                case DONE -> BlobStatus.Phase.DONE;
                case EXISTS -> BlobStatus.Phase.EXISTS;
                case FAILED -> null; // the error ends the stream
            };
            if (phase == null) {
                return;
            }
            if (phase == BlobStatus.Phase.DOWNLOADING && p.offset() < p.total()) {
                long now = System.nanoTime() / 1_000_000;
                Long last = lastSent.get(p.ref());
                if (last != null && now - last < PROGRESS_INTERVAL_MS) {
                    return;
                }
                lastSent.put(p.ref(), now);
            }
            BlobStatus.Builder b = BlobStatus.newBuilder().setRef(p.ref()).setPhase(phase).setOffset(p.offset()).setTotal(p.total());
            if (p.blob() != null) {
                b.setDigest(p.blob().digest().toString()).setKind(p.blob().kind().refPrefix());
            }
            send(PullEvent.newBuilder().setBlob(b).build());
        }

        @Override
        public void onUnpack(io.jcontainerd.content.image.Descriptor layer, boolean finished) {
            send(PullEvent.newBuilder().setBlob(BlobStatus.newBuilder().setRef(layer.ingestRef())
                    .setDigest(layer.digest().toString()).setKind(layer.kind().refPrefix())
                    .setPhase(finished ? BlobStatus.Phase.DONE : BlobStatus.Phase.UNPACKING)
                    .setOffset(layer.size()).setTotal(layer.size())).build());
        }

        synchronized void send(PullEvent e) {
            if (call.isCancelled()) {
                throw JcdException.of(ErrorKind.CANCELLED, "the client cancelled the pull", null);
            }
            call.onNext(e);
        }
    }
}
