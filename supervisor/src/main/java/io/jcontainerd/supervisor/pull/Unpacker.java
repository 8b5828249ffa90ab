package io.jcontainerd.supervisor.pull;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageConfig;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.pull.LayerListener;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.Applied;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.diff.LayerApply;
import io.jcontainerd.supervisor.gc.GcLabels;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Unpacks the layers of a pull into a snapshotter while the pull downloads them, as containerd's
 * unpacker does: per platform manifest, once its config is in the store (for the diff_ids) and
 * layers 0..i are verified, layer i becomes the snapshot named by its chain ID. A chain ID that is
 * already committed (by another pull, maybe) is skipped and added to this pull's lease, so it stays
 * the parent of the next layer whatever the other pull does; otherwise
 * Prepare("extract-… chainID", parent chain) → apply → the applied digest must be the diff_id → Commit(chainID) (AlreadyExists: another pull's commit
 * came first, so the own key goes and the chain is held as above) → the blob gets
 * {@code containerd.io/uncompressed}. When the stack is done the config gets
 * {@code containerd.io/gc.ref.snapshot.<snapshotter>} = the top chain ID, which keeps the snapshots
 * alive as long as the image. A failure removes the half-made snapshot and fails the pull.
 *
 * <p>Each manifest is unpacked by its own thread (layers of one stack are sequential by nature);
 * download threads only mark layers and wake it.
 */
public final class Unpacker implements LayerListener {
    public static final String UNCOMPRESSED_LABEL = "containerd.io/uncompressed";
    private static final Logger LOG = Logger.getLogger(Unpacker.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String ns;
    private final String snapshotter;
    private final NamespacedContentStore content;
    private final NamespacedSnapshots snapshots;
    private final LayerApply apply;
    private final Optional<String> lease;
    private final PullObserver observer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Digest, Job> jobs = new ConcurrentHashMap<>();
    private final List<Job> order = new ArrayList<>();
    private volatile RuntimeException failure;
    private volatile boolean cancelled;

    public Unpacker(String ns, String snapshotter, NamespacedContentStore content, NamespacedSnapshots snapshots,
                    LayerApply apply, String lease, PullObserver observer) {
        this.ns = ns;
        this.snapshotter = snapshotter;
        this.content = content;
        this.snapshots = snapshots;
        this.apply = apply;
        this.lease = Optional.of(lease);
        this.observer = observer;
    }

    public String snapshotter() {
        return snapshotter;
    }

    @Override
    public void onManifest(Descriptor manifestDesc, Manifest manifest) {
        Job job = new Job(manifestDesc, manifest);
        if (jobs.putIfAbsent(manifestDesc.digest(), job) != null) {
            return; // an index may list the same manifest twice
        }
        synchronized (order) {
            order.add(job);
        }
        job.thread = Thread.ofPlatform().name("unpack-" + manifestDesc.digest().shortHex()).daemon().start(job::run);
    }

    @Override
    public void onLayerCommitted(Descriptor manifestDesc, int index, Descriptor layer) {
        RuntimeException f = failure;
        if (f != null) {
            throw f; // stop downloading for an image that cannot be unpacked
        }
        Job job = jobs.get(manifestDesc.digest());
        if (job != null) {
            lock.lock();
            try {
                job.committed.set(index);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A blob of the pull was committed (the config may be among them): wake the workers. */
    void blobCommitted(Digest digest) {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for every manifest's stack; the first failure is rethrown. */
    public List<UnpackedImage> await() {
        List<Job> all;
        synchronized (order) {
            all = List.copyOf(order);
        }
        for (Job j : all) {
            join(j);
        }
        if (failure != null) {
            throw failure;
        }
        return all.stream().map(j -> j.result).toList();
    }

    /** Stops the workers (the pull failed): each removes what it half made, then this returns. */
    public void cancel() {
        cancelled = true;
        blobCommitted(null);
        List<Job> all;
        synchronized (order) {
            all = List.copyOf(order);
        }
        all.forEach(Unpacker::join);
    }

    private static void join(Job j) {
        try {
            j.thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "interrupted while waiting for the unpack of " + j.manifestDesc.digest(), e);
        }
    }

    /** Blocks until {@code ready} holds; CANCELLED if the pull was given up. */
    private void awaitUntil(java.util.function.BooleanSupplier ready, String what) {
        lock.lock();
        try {
            while (!ready.getAsBoolean()) {
                if (cancelled || failure != null) {
                    throw JcdException.of(ErrorKind.CANCELLED, "unpack cancelled while waiting for " + what, null);
                }
                // the timeout only guards against a missed signal; commits signal at once
                changed.await(200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private final class Job {
        final Descriptor manifestDesc;
        final Manifest manifest;
        final BitSet committed = new BitSet();
        Thread thread;
        UnpackedImage result;

        Job(Descriptor manifestDesc, Manifest manifest) {
            this.manifestDesc = manifestDesc;
            this.manifest = manifest;
        }

        void run() {
            try {
                result = unpack();
            } catch (RuntimeException e) {
                if (failure == null && !cancelled) {
                    failure = e;
                }
                blobCommitted(null);
            }
        }

        private UnpackedImage unpack() {
            long started = System.nanoTime();
            Descriptor configDesc = manifest.config();
            awaitUntil(() -> content.exists(ns, configDesc.digest()), "config " + configDesc.digest());
            ImageConfig config = readConfig(configDesc.digest());
            List<Digest> diffIds = config.rootfs().diffIds();
            List<Descriptor> layers = manifest.layers();
            if (diffIds.size() != layers.size()) {
                throw JcdException.failedPrecondition(
                        "image manifest %s has %d layers but its config %s lists %d diff_ids: cannot unpack it",
                        manifestDesc.digest(), layers.size(), configDesc.digest(), diffIds.size());
            }
            List<Digest> chains = ChainIds.of(diffIds);
            int applied = 0;
            for (int i = 0; i < layers.size(); i++) {
                String chain = chains.get(i).toString();
                String parent = i == 0 ? "" : chains.get(i - 1).toString();
                int index = i;
                // a chain committed before (by another pull, maybe) is skipped, and this pull's lease
                // holds it from now on, so it stays the parent of the next layer whatever the other
                // pull does; a commit that loses a race to another pull's looks again
                for (int attempt = 1; !snapshots.hold(ns, snapshotter, chain, lease); attempt++) {
                    if (attempt > 3) {
                        throw JcdException.failedPrecondition("snapshot %s of layer %s was committed by other pulls and "
                                + "removed before this pull could hold it, 3 times (namespace %s): pull again",
                                chain, layers.get(i).digest(), ns);
                    }
                    awaitUntil(() -> committed.get(index), "layer " + layers.get(i).digest());
                    if (unpackLayer(layers.get(i), diffIds.get(i), chain, parent)) {
                        applied++;
                        break;
                    }
                }
            }
            if (!chains.isEmpty()) {
                String key = GcLabels.SNAPSHOT_REF_PREFIX + snapshotter;
                content.update(ns, configDesc.digest(), Map.of(key, chains.getLast().toString()), List.of("labels." + key));
            }
            String platform = manifestDesc.findPlatform().map(p -> p.format()).orElseGet(() -> config.platform().format());
            int n = applied;
            LOG.fine(() -> "namespace=" + ns + " unpacked " + manifestDesc.digest() + " (" + platform + ") into " + snapshotter
                    + ": " + n + " of " + layers.size() + " layers applied in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            return new UnpackedImage(platform, manifestDesc.digest(), chains, applied);
        }

        private ImageConfig readConfig(Digest digest) {
            content.info(ns, digest);
            try (InputStream in = content.backend().open(digest, 0)) {
                return ImageJson.config(in.readAllBytes(), digest);
            } catch (IOException e) {
                throw JcdException.of(ErrorKind.UNKNOWN, "cannot read image config " + digest + ": " + e.getMessage(), e);
            }
        }

        /** True once this pull committed {@code chain}; false if another pull's commit of it came first. */
        private boolean unpackLayer(Descriptor layer, Digest diffId, String chain, String parent) {
            observer.onUnpack(layer, false);
            String key = prepareKey(chain);
            List<Mount> mounts = snapshots.prepare(ns, snapshotter, key, parent, Map.of(), lease);
            boolean ours = true;
            try {
                Applied a = apply.apply(ns, layer.mediaType(), layer.digest(), mounts);
                if (!a.digest().equals(diffId.toString())) {
                    throw JcdException.failedPrecondition(
                            "layer %s of image manifest %s unpacked to %s, but the image config says its diff_id is %s: "
                                    + "the image is corrupt; nothing was committed",
                            layer.digest(), manifestDesc.digest(), a.digest(), diffId);
                }
                try {
                    snapshots.commit(ns, snapshotter, chain, key, Map.of(), lease);
                } catch (AlreadyExistsException raced) {
                    // another pull committed the same layer a moment ago: theirs is as good as ours
                    removeQuietly(key);
                    ours = false;
                }
            } catch (RuntimeException e) {
                removeQuietly(key);
                throw e;
            }
            content.update(ns, layer.digest(), Map.of(UNCOMPRESSED_LABEL, diffId.toString()),
                    List.of("labels." + UNCOMPRESSED_LABEL));
            observer.onUnpack(layer, true);
            return ours;
        }

        private void removeQuietly(String key) {
            try {
                snapshots.remove(ns, snapshotter, key);
            } catch (RuntimeException e) {
                LOG.warning(() -> "namespace=" + ns + " cannot remove the unfinished snapshot \"" + key + "\" of "
                        + snapshotter + ": " + e.getMessage());
            }
        }
    }

    /** containerd's unpack key: unique, and naming the chain ID it will become. */
    static String prepareKey(String chain) {
        return "extract-" + System.nanoTime() + "-" + Integer.toHexString(RANDOM.nextInt(1 << 24)) + " " + chain;
    }
}
