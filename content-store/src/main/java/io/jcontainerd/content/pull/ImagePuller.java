package io.jcontainerd.content.pull;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.ImageConfig;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.Index;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.image.MediaTypes;
import io.jcontainerd.content.image.Platform;
import io.jcontainerd.content.image.PlatformMatcher;
import io.jcontainerd.content.registry.Fetcher;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.store.ContentStore;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Pulls an image into a content store: resolve the reference, fetch the root, pick platforms,
 * then fetch every config and layer in parallel (bounded), resuming partial ingests. Plain Java,
 * no gRPC: the daemon's Transfer service and the CLI both sit on top of it.
 */
public final class ImagePuller {

    private final RegistryClient registry;
    private final ContentStore store;

    public ImagePuller(RegistryClient registry, ContentStore store) {
        this.registry = registry;
        this.store = store;
    }

    public PullResult pull(String reference, PullOptions options) {
        return pull(ImageReference.parse(reference), options);
    }

    public PullResult pull(ImageReference ref, PullOptions options) {
        long t0 = System.nanoTime();
        PullListener listener = options.listener();
        listener.onProgress(new PullProgress(ref.toString(), null, PullPhase.RESOLVING, 0, 0));
        Descriptor root = registry.resolve(ref);
        listener.onProgress(new PullProgress(ref.toString(), root, PullPhase.RESOLVED, 0, root.size()));

        Fetcher fetcher = registry.fetcher(ref);
        BlobDownloader downloader = new BlobDownloader(store, fetcher, listener);
        GcLabels labels = new GcLabels();
        List<PulledImage> images = new ArrayList<>();
        Semaphore slots = new Semaphore(options.maxConcurrentDownloads());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> blobs = new ArrayList<>();
            for (Descriptor manifestDesc : manifestsOf(root, ref, options.platforms(), downloader, labels)) {
                Manifest manifest = ImageJson.manifest(readSmall(manifestDesc, downloader, ref), manifestDesc.digest());
                labels.manifest(manifestDesc, manifest);
                labels.source(manifestDesc, ref);
                Platform platform = manifestDesc.findPlatform().orElse(null);
                images.add(new PulledImage(manifestDesc, manifest, platform));
                options.layerListener().onManifest(manifestDesc, manifest);

                labels.source(manifest.config(), ref);
                blobs.add(pool.submit(() -> bounded(slots, manifest.config(), downloader, listener)));
                for (int i = 0; i < manifest.layers().size(); i++) {
                    int index = i;
                    Descriptor layer = manifest.layers().get(i);
                    labels.source(layer, ref);
                    if (MediaTypes.isNonDistributable(layer.mediaType()) && !layer.urls().isEmpty()) {
                        throw JcdException.notImplemented(
                                "layer %s of %s is a foreign layer served from %s: foreign URLs are not fetched",
                                layer.digest(), ref, layer.urls());
                    }
                    blobs.add(pool.submit(() -> {
                        bounded(slots, layer, downloader, listener);
                        options.layerListener().onLayerCommitted(manifestDesc, index, layer);
                        return null;
                    }));
                }
            }
            awaitAll(blobs, ref);
        }
        // The config must parse for the image to be usable: find out now, not at first run. It also
        // names the platform of a manifest that was not reached through an index.
        List<PulledImage> complete = new ArrayList<>();
        for (PulledImage img : images) {
            ImageConfig config;
            try (InputStream in = store.open(img.config().digest(), 0)) {
                config = ImageJson.config(in.readAllBytes(), img.config().digest());
            } catch (IOException e) {
                throw JcdException.of(ErrorKind.UNKNOWN, "cannot read config " + img.config().digest() + ": " + e, e);
            }
            complete.add(img.platform() != null ? img : new PulledImage(img.manifestDesc(), img.manifest(), config.platform()));
        }
        return new PullResult(ref, root, List.copyOf(complete), labels.snapshot(), downloader.bytesDownloaded.get(),
                downloader.fetched.get(), downloader.existing.get(), Duration.ofNanos(System.nanoTime() - t0));
    }

    private static Object bounded(Semaphore slots, Descriptor desc, BlobDownloader d, PullListener listener)
            throws InterruptedException {
        if (!d.exists(desc)) {
            listener.onProgress(new PullProgress(desc.ingestRef(), desc, PullPhase.WAITING, 0, desc.size()));
        }
        slots.acquire();
        try {
            d.download(desc);
        } finally {
            slots.release();
        }
        return null;
    }

    /** The platform manifests to fetch (the root itself if it is a manifest). */
    private List<Descriptor> manifestsOf(Descriptor root, ImageReference ref, PlatformSelection selection,
                                         BlobDownloader downloader, GcLabels labels) {
        labels.source(root, ref);
        if (MediaTypes.isManifest(root.mediaType())) {
            return List.of(root);
        }
        if (!MediaTypes.isIndex(root.mediaType())) {
            throw JcdException.notImplemented("image %s has root media type \"%s\" (%s): only OCI/Docker manifests and indexes can be pulled",
                    ref, root.mediaType(), root.digest());
        }
        Index index = ImageJson.index(readSmall(root, downloader, ref), root.digest());
        labels.index(root, index);
        List<Descriptor> manifests = index.manifests().stream().filter(d -> MediaTypes.isManifest(d.mediaType())).toList();
        List<Descriptor> chosen = switch (selection) {
            case PlatformSelection.All all -> manifests;
            case PlatformSelection.Host host -> pick(manifests, List.of(Platform.host()), ref);
            case PlatformSelection.Only only -> pick(manifests, only.platforms(), ref);
        };
        return chosen;
    }

    private static List<Descriptor> pick(List<Descriptor> manifests, List<Platform> wanted, ImageReference ref) {
        Set<Descriptor> out = new LinkedHashSet<>();
        List<Platform> platforms = manifests.stream()
                .map(d -> d.findPlatform().orElse(new Platform("", "", ""))).toList();
        for (Platform p : wanted) {
            int best = PlatformMatcher.of(p).best(platforms);
            if (best < 0) {
                throw JcdException.notFound("image %s has no manifest for platform %s (it has: %s)",
                        ref, p.format(), platforms.stream().map(Platform::format).distinct().toList());
            }
            out.add(manifests.get(best));
        }
        return List.copyOf(out);
    }

    /** Fetches (or reads) a manifest or index, refusing anything above the manifest size limit. */
    private byte[] readSmall(Descriptor desc, BlobDownloader downloader, ImageReference ref) {
        if (desc.size() > ImageJson.MAX_MANIFEST_BYTES) {
            throw JcdException.failedPrecondition("%s %s of %s is %d bytes, over the %d byte limit for manifests: refused",
                    desc.kind().refPrefix(), desc.digest(), ref, desc.size(), ImageJson.MAX_MANIFEST_BYTES);
        }
        downloader.download(desc);
        try (InputStream in = store.open(desc.digest(), 0)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw JcdException.of(ErrorKind.UNKNOWN, "cannot read " + desc.digest() + " back from the content store: " + e, e);
        }
    }

    private static void awaitAll(List<Future<?>> futures, ImageReference ref) {
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                if (first == null) {
                    f.get();
                } else {
                    f.cancel(true);
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                first = cause instanceof RuntimeException re ? re
                        : JcdException.of(ErrorKind.UNKNOWN, "pull of " + ref + " failed: " + cause, cause);
                futures.forEach(other -> other.cancel(true));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(other -> other.cancel(true));
                throw JcdException.of(ErrorKind.CANCELLED, "pull of " + ref + " was interrupted", e);
            } catch (java.util.concurrent.CancellationException ignored) {
                // cancelled because another blob failed first
            }
        }
        if (first != null) throw first;
    }
}
