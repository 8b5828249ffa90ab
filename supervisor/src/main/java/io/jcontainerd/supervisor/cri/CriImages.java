package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageConfig;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.Index;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.image.Platform;
import io.jcontainerd.content.image.PlatformMatcher;
import io.jcontainerd.content.pull.PlatformSelection;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.store.ReaderAt;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.images.ImageRecord;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.pull.ChainIds;
import io.jcontainerd.supervisor.pull.PullObserver;
import io.jcontainerd.supervisor.pull.PullSpec;
import io.jcontainerd.supervisor.pull.ServerPull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CRI ImageService over the daemon's images, content and server-side pull, in namespace
 * {@link CriNames#NAMESPACE}. References are normalised as containerd's cri does
 * ({@code busybox} → {@code docker.io/library/busybox:latest}); an image is also found by its id
 * ({@code sha256:<config>} or a unique prefix of it, or the 64 hex digits alone).
 */
public final class CriImages {
    private final ImageStore images;
    private final NamespacedContentStore content;
    private final ServerPull pull;
    private final String snapshotter;
    private final Path imageFs;
    /**
     * What {@link #resolve} read of each image target (its manifest or index digest and media type): the
     * blobs are content addressed, so the id, size, config and top chain id of a target never change.
     * RunPodSandbox and CreateContainer each find an image, and finding one resolves every image of the
     * namespace (its id decides which names it has): without this, 2-3 blob reads and JSON parses each.
     * A target that failed to resolve (missing blobs, another platform) is not kept. At most
     * {@link #RESOLVED_KEPT}, the least recently used dropped first.
     */
    private final Map<String, Resolved> resolved = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Resolved> eldest) {
            return size() > RESOLVED_KEPT;
        }
    };
    static final int RESOLVED_KEPT = 512;

    /**
     * @param snapshotter what pulls unpack into and containers start from
     * @param imageFs     the snapshotter's directory, reported by ImageFsInfo
     */
    public CriImages(ImageStore images, NamespacedContentStore content, ServerPull pull, String snapshotter, Path imageFs) {
        this.images = images;
        this.content = content;
        this.pull = pull;
        this.snapshotter = snapshotter;
        this.imageFs = imageFs;
    }

    public String snapshotter() {
        return snapshotter;
    }

    /** The image filesystem: the snapshotter's directory, where containers' writable layers are too. */
    public Path imageFs() {
        return imageFs;
    }

    /** Every image, one entry per id with all its names; {@code ref} non-empty keeps only the image it names. */
    public List<CriImage> list(String ref) {
        if (!ref.isEmpty()) {
            return find(ref).map(List::of).orElse(List.of());
        }
        Map<String, List<ImageRecord>> byId = new LinkedHashMap<>();
        Map<String, Resolved> resolved = new LinkedHashMap<>();
        for (ImageRecord r : images.list(CriNames.NAMESPACE, Filter.ALWAYS)) {
            Optional<Resolved> res = resolveQuietly(r);
            if (res.isEmpty()) {
                continue;
            }
            byId.computeIfAbsent(res.get().id(), k -> new ArrayList<>()).add(r);
            resolved.putIfAbsent(res.get().id(), res.get());
        }
        List<CriImage> out = new ArrayList<>();
        byId.forEach((id, records) -> out.add(toImage(resolved.get(id), records)));
        return out;
    }

    /** The image {@code ref} names (a reference or an id), if present. */
    public Optional<CriImage> find(String ref) {
        return recordsOf(ref).map(records -> toImage(resolve(records.getFirst()), records));
    }

    /** Like {@link #find}, NotFound with what to do when absent. */
    public CriImage get(String ref) {
        return find(ref).orElseThrow(() -> JcdException.notFound(
                "image \"%s\" is not present in namespace %s: pull it first (PullImage)", ref, CriNames.NAMESPACE));
    }

    /** Pulls {@code ref} for the host's platform and unpacks it; returns the image (its id is the image_ref). */
    public CriImage pull(String ref) {
        return pull(ref, null);
    }

    /** {@link #pull(String)} with {@code login} (null: none) asked first for credentials, for this pull only (PullImage's auth). */
    public CriImage pull(String ref, CredentialStore login) {
        String name = normalise(ref);
        pull.pull(CriNames.NAMESPACE, new PullSpec(name, PlatformSelection.host(), true, snapshotter, 0), PullObserver.NONE, login);
        return get(name);
    }

    /** Removes every name of the image {@code ref} names; nothing to do when it is absent. */
    public void remove(String ref) {
        Optional<List<ImageRecord>> records = recordsOf(ref);
        if (records.isEmpty()) {
            return;
        }
        for (ImageRecord r : records.get()) {
            try {
                images.delete(CriNames.NAMESPACE, r.name(), Optional.empty());
            } catch (JcdException e) {
                if (e.kind() != io.jcontainerd.config.errdefs.ErrorKind.NOT_FOUND) {
                    throw e;
                }
            }
        }
    }

    /** Bytes and inodes under the snapshotter's directory (what images occupy once unpacked), and its mount point. */
    public FsUsage fsUsage() {
        long[] totals = new long[2];
        if (Files.isDirectory(imageFs)) {
            try {
                Files.walkFileTree(imageFs, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        totals[1]++;
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        totals[0] += attrs.size();
                        totals[1]++;
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE; // removed while we walked
                    }
                });
            } catch (IOException e) {
                throw JcdException.failedPrecondition("cannot measure the image filesystem %s: %s", imageFs, e.getMessage());
            }
        }
        return new FsUsage(imageFs.toString(), totals[0], totals[1]);
    }

    /** What ImageFsInfo reports for the image filesystem. */
    public record FsUsage(String mountpoint, long usedBytes, long inodesUsed) {
    }

    /** containerd cri's normalisation: a familiar name gets docker.io/library/ and :latest. */
    public static String normalise(String ref) {
        return ImageReference.parse(ref).toString();
    }

    private Optional<List<ImageRecord>> recordsOf(String ref) {
        if (ref.isEmpty()) {
            throw JcdException.invalidArgument("no image given: name one by reference (busybox) or id (sha256:<hex>)");
        }
        Optional<String> id = idOf(ref);
        if (id.isEmpty()) {
            String name = normalise(ref);
            Optional<ImageRecord> r = images.find(CriNames.NAMESPACE, name);
            if (r.isEmpty()) {
                return Optional.empty();
            }
            id = Optional.of(resolve(r.get()).id());
        }
        String wanted = id.get();
        List<ImageRecord> matching = new ArrayList<>();
        String matchedId = null;
        for (ImageRecord r : images.list(CriNames.NAMESPACE, Filter.ALWAYS)) {
            Optional<Resolved> res = resolveQuietly(r);
            if (res.isPresent() && res.get().id().startsWith(wanted)) {
                if (matchedId != null && !matchedId.equals(res.get().id())) {
                    throw JcdException.invalidArgument("image id prefix %s is ambiguous (%s and %s): give more of it", ref, matchedId, res.get().id());
                }
                matchedId = res.get().id();
                matching.add(r);
            }
        }
        return matching.isEmpty() ? Optional.empty() : Optional.of(matching);
    }

    /** "sha256:<hex>" (all or a prefix of at least 12 digits) or 64 hex digits: an id. */
    private static Optional<String> idOf(String ref) {
        if (ref.matches("sha256:[0-9a-f]{12,64}")) {
            return Optional.of(ref);
        }
        return ref.matches("[0-9a-f]{64}") ? Optional.of("sha256:" + ref) : Optional.empty();
    }

    private record Resolved(String id, long size, ImageConfig config, String topChainId) {
    }

    private Optional<Resolved> resolveQuietly(ImageRecord r) {
        try {
            return Optional.of(resolve(r));
        } catch (JcdException e) {
            return Optional.empty(); // incomplete or for another platform: not usable by the CRI
        }
    }

    private Resolved resolve(ImageRecord r) {
        String key = r.target().parsedDigest() + " " + r.target().mediaType();
        synchronized (resolved) {
            Resolved known = resolved.get(key);
            if (known != null) {
                return known;
            }
        }
        Resolved fresh = resolveFromContent(r);
        synchronized (resolved) {
            resolved.put(key, fresh);
        }
        return fresh;
    }

    private Resolved resolveFromContent(ImageRecord r) {
        Digest target = r.target().parsedDigest();
        byte[] json = read(target, r.name());
        String mediaType = r.target().mediaType().isEmpty() ? ImageJson.detectMediaType(json, target) : r.target().mediaType();
        if (mediaType.endsWith("image.index.v1+json") || mediaType.endsWith("manifest.list.v2+json")) {
            Index index = ImageJson.index(json, target);
            List<Platform> platforms = index.manifests().stream()
                    .map(d -> d.findPlatform().orElse(new Platform("linux", "amd64", null))).toList();
            int best = PlatformMatcher.host().best(platforms);
            if (best < 0) {
                throw JcdException.notFound("image %s has no manifest for this machine's platform", r.name());
            }
            Descriptor m = index.manifests().get(best);
            json = read(m.digest(), r.name());
            target = m.digest();
        }
        Manifest manifest = ImageJson.manifest(json, target);
        ImageConfig config = ImageJson.config(read(manifest.config().digest(), r.name()), manifest.config().digest());
        long size = manifest.config().size() + manifest.layers().stream().mapToLong(Descriptor::size).sum();
        List<Digest> chain = ChainIds.of(config.rootfs().diffIds());
        return new Resolved(manifest.config().digest().toString(), size, config, chain.isEmpty() ? "" : chain.getLast().toString());
    }

    private byte[] read(Digest digest, String image) {
        try (ReaderAt in = content.readerAt(CriNames.NAMESPACE, digest)) {
            if (in.size() > ImageJson.MAX_MANIFEST_BYTES) {
                throw JcdException.invalidArgument("blob %s of image %s is %d bytes, more than a manifest or config may be", digest, image, in.size());
            }
            ByteBuffer buf = ByteBuffer.allocate((int) in.size());
            while (buf.hasRemaining() && in.readAt(buf, buf.position()) >= 0) {
                // keep reading
            }
            return buf.array();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot read blob %s of image %s: %s", digest, image, e.getMessage());
        }
    }

    private CriImage toImage(Resolved r, List<ImageRecord> records) {
        List<String> tags = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (ImageRecord rec : records) {
            try {
                ImageReference ref = ImageReference.parse(rec.name());
                if (ref.findTag().isPresent() && ref.findDigest().isEmpty()) {
                    tags.add(rec.name());
                }
                String d = ref.name() + "@" + rec.target().digest();
                if (!digests.contains(d)) {
                    digests.add(d);
                }
            } catch (JcdException e) {
                // a record named by something that is not a reference (an id): neither tag nor digest
            }
        }
        return new CriImage(r.id(), tags, digests, r.size(), r.config(), r.topChainId());
    }
}
