package io.jcontainerd.supervisor.cri;

import io.jcontainerd.content.image.ImageConfig;

import java.util.List;

/**
 * An image as the CRI shows it: its id is the config's digest (as containerd's cri), known by
 * its tags ({@code docker.io/library/busybox:latest}) and repo digests
 * ({@code docker.io/library/busybox@sha256:<manifest or index>}).
 *
 * @param size        the compressed size: config plus layers of the host's manifest
 * @param topChainId  the committed snapshot a container's rootfs starts from
 */
public record CriImage(String id, List<String> repoTags, List<String> repoDigests, long size, ImageConfig config,
                       String topChainId) {
    public CriImage {
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
    }

    /** The name a container records as its image: the first tag, else the first digest, else the id. */
    public String name() {
        return !repoTags.isEmpty() ? repoTags.getFirst() : !repoDigests.isEmpty() ? repoDigests.getFirst() : id;
    }
}
