package io.jcontainerd.snapshot.apply;

/** What OCI whiteouts ({@code .wh.<name>}, {@code .wh..wh..opq}) become when a layer is applied. */
public enum WhiteoutMode {
    /**
     * For an overlayfs upper directory: {@code .wh.x} becomes a 0/0 character device {@code x},
     * {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its directory.
     */
    OVERLAY,
    /**
     * For a full copy (native): {@code .wh.x} deletes {@code x}, {@code .wh..wh..opq} deletes what
     * the directory held before this layer.
     */
    DELETE
}
