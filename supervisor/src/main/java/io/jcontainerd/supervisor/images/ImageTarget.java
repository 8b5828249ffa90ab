package io.jcontainerd.supervisor.images;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;

import java.util.Map;

/** The descriptor an image points at: usually an index or a manifest. */
public record ImageTarget(String mediaType, String digest, long size, Map<String, String> annotations) {
    public ImageTarget {
        annotations = Map.copyOf(annotations == null ? Map.of() : annotations);
    }

    /** containerd's rule: a target needs a media type and a valid digest. */
    void validate(String imageName) {
        if (mediaType == null || mediaType.isEmpty()) {
            throw JcdException.invalidArgument("image %s: target media type must be set", imageName);
        }
        if (digest == null || digest.isEmpty()) {
            throw JcdException.invalidArgument("image %s: target digest must be set", imageName);
        }
        Digest.parse(digest);
    }

    public Digest parsedDigest() {
        return Digest.parse(digest);
    }
}
