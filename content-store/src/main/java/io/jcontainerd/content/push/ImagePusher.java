package io.jcontainerd.content.push;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.image.MediaTypes;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.registry.RegistryPusher;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes one image manifest with its blobs, as dockerd and containerd's pusher do: every layer,
 * then the config, each HEADed first and uploaded only when the repository lacks it; the
 * manifest last, under the reference's tag, so a reader never sees a manifest whose blobs are
 * missing. A blob missing there that {@link MountSources} says another repository of the same
 * host has is mounted from it (dockerd's cross-repository mount), falling back to an upload. The
 * Layers the distribution spec calls non-distributable (foreign) are not sent. An index
 * is not pushed: give the platform manifest (what a pull into this daemon keeps of an index).
 */
public final class ImagePusher {
    private final RegistryClient registry;

    public ImagePusher(RegistryClient registry) {
        this.registry = registry;
    }

    /** Pushes {@code manifest} (read through {@code source}) to {@code target}, whose tag names it there. */
    public PushResult push(ImageReference target, Descriptor manifest, BlobSource source, PushListener listener) {
        return push(target, manifest, source, MountSources.NONE, listener);
    }

    /** {@link #push(ImageReference, Descriptor, BlobSource, PushListener)}, mounting blobs from the repositories {@code mounts} names. */
    public PushResult push(ImageReference target, Descriptor manifest, BlobSource source, MountSources mounts, PushListener listener) {
        String tag = target.findTag().orElseThrow(() -> JcdException.invalidArgument(
                "push needs a tag to put the manifest under, got %s", target));
        MediaTypes.Kind kind = MediaTypes.kindOf(manifest.mediaType());
        if (kind != MediaTypes.Kind.MANIFEST) {
            throw JcdException.invalidArgument("only an image manifest can be pushed, not %s (%s): push a platform's manifest",
                    manifest.digest(), manifest.mediaType());
        }
        if (manifest.size() > ImageJson.MAX_MANIFEST_BYTES) {
            throw JcdException.failedPrecondition("manifest %s is %d bytes, past the %d byte limit", manifest.digest(), manifest.size(),
                    ImageJson.MAX_MANIFEST_BYTES);
        }
        byte[] bytes = read(source, manifest);
        Manifest m = ImageJson.manifest(bytes, manifest.digest());
        List<Descriptor> blobs = new ArrayList<>();
        for (Descriptor l : m.layers()) {
            if (!nonDistributable(l)) blobs.add(l);
        }
        blobs.add(m.config());
        RegistryPusher pusher = registry.pusher(target);
        blobs.forEach(listener::preparing);
        int sent = 0;
        int existing = 0;
        int mounted = 0;
        long bytesSent = 0;
        for (Descriptor b : blobs) {
            if (pusher.exists(b)) {
                existing++;
                listener.exists(b);
                continue;
            }
            RegistryPusher.Mount how = RegistryPusher.Mount.NOT_MOUNTED;
            for (String from : mounts.repositories(b, target.domain())) {
                if (from.equals(target.path())) continue;
                how = pusher.mount(b, from, () -> source.open(b), n -> listener.pushing(b, n));
                if (how == RegistryPusher.Mount.MOUNTED) {
                    mounted++;
                    listener.mounted(b, from);
                    break;
                }
                if (how == RegistryPusher.Mount.UPLOADED) break;
            }
            if (how == RegistryPusher.Mount.MOUNTED) continue;
            if (how != RegistryPusher.Mount.UPLOADED) {
                pusher.upload(b, () -> source.open(b), n -> listener.pushing(b, n));
            }
            sent++;
            bytesSent += b.size();
            listener.pushed(b);
        }
        String mediaType = m.mediaType().isEmpty() ? manifest.mediaType() : m.mediaType();
        Digest d = pusher.putManifest(tag, mediaType, bytes);
        return new PushResult(new Descriptor(mediaType, d, bytes.length), sent, existing, mounted, bytesSent);
    }

    private static boolean nonDistributable(Descriptor d) {
        return d.mediaType().contains(".nondistributable.") || d.mediaType().contains(".foreign.");
    }

    private static byte[] read(BlobSource source, Descriptor d) {
        try (InputStream in = source.open(d)) {
            byte[] b = in.readNBytes((int) d.size() + 1);
            if (b.length != d.size()) {
                throw JcdException.failedPrecondition("manifest %s has %d bytes in the content store, its descriptor says %d",
                        d.digest(), b.length, d.size());
            }
            if (!Digest.of(b).equals(d.digest())) {
                throw JcdException.failedPrecondition("manifest %s in the content store has digest %s: the store is damaged",
                        d.digest(), Digest.of(b));
            }
            return b;
        } catch (IOException e) {
            throw JcdException.unavailable("cannot read manifest %s to push it: %s", d.digest(), e.getMessage());
        }
    }
}
