package io.jcontainerd.content.push;

import io.jcontainerd.content.image.Descriptor;

import java.util.List;

/**
 * The repositories of a registry host a blob is known to be in (containerd's
 * {@code containerd.io/distribution.source.<host>} label: where it was pulled from or pushed to),
 * for a push to mount it from there instead of uploading it.
 */
@FunctionalInterface
public interface MountSources {
    MountSources NONE = (blob, host) -> List.of();

    /** Repository paths on {@code host} ("library/busybox") that have {@code blob}; empty when none is known. */
    List<String> repositories(Descriptor blob, String host);
}
