package io.jcontainerd.content.image;

import java.util.List;

/** The OCI and Docker media types a pull meets, and what kind of blob each names. */
public final class MediaTypes {

    private MediaTypes() {
    }

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
    public static final String DOCKER_LAYER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /** What a manifest request accepts, most preferred first (as containerd's resolver sends). */
    public static final List<String> MANIFEST_ACCEPT = List.of(
            OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

    /** The role a blob plays in an image. */
    public enum Kind {
        INDEX("index"), MANIFEST("manifest"), CONFIG("config"), LAYER("layer"), UNKNOWN("unknown");

        private final String refPrefix;

        Kind(String refPrefix) {
            this.refPrefix = refPrefix;
        }

        /** The ingest ref prefix containerd's clients use ("layer-sha256:..."). */
        public String refPrefix() {
            return refPrefix;
        }
    }

    /** How a layer's tar stream is compressed. */
    public enum Compression { NONE, GZIP, ZSTD }

    public static Kind kindOf(String mediaType) {
        if (mediaType == null) return Kind.UNKNOWN;
        return switch (base(mediaType)) {
            case OCI_INDEX, DOCKER_MANIFEST_LIST -> Kind.INDEX;
            case OCI_MANIFEST, DOCKER_MANIFEST -> Kind.MANIFEST;
            case OCI_CONFIG, DOCKER_CONFIG -> Kind.CONFIG;
            default -> isLayer(mediaType) ? Kind.LAYER : Kind.UNKNOWN;
        };
    }

    public static boolean isIndex(String mediaType) {
        return kindOf(mediaType) == Kind.INDEX;
    }

    public static boolean isManifest(String mediaType) {
        return kindOf(mediaType) == Kind.MANIFEST;
    }

    public static boolean isLayer(String mediaType) {
        if (mediaType == null) return false;
        String b = base(mediaType);
        return b.startsWith("application/vnd.oci.image.layer.")
                || b.startsWith("application/vnd.docker.image.rootfs.")
                || b.startsWith("application/vnd.oci.image.layer.nondistributable.");
    }

    /** Foreign/non-distributable layers may be absent from the registry (Windows base layers). */
    public static boolean isNonDistributable(String mediaType) {
        String b = base(mediaType);
        return b.contains(".foreign.") || b.contains(".nondistributable.");
    }

    public static Compression compressionOf(String mediaType) {
        String b = base(mediaType);
        if (b.endsWith("+gzip") || b.endsWith(".tar.gzip")) return Compression.GZIP;
        if (b.endsWith("+zstd") || b.endsWith(".tar.zstd")) return Compression.ZSTD;
        return Compression.NONE;
    }

    /** Drops parameters: "application/json; charset=utf-8" → "application/json". */
    public static String base(String mediaType) {
        int semi = mediaType.indexOf(';');
        return (semi < 0 ? mediaType : mediaType.substring(0, semi)).trim();
    }
}
