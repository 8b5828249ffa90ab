package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.Locale;

/** How a layer blob is compressed. */
public enum Compression {
    NONE, GZIP, ZSTD,
    /** Decide from the first bytes of the stream. */
    DETECT;

    /**
     * The compression an OCI or Docker layer media type names: {@code ...tar+gzip},
     * {@code ...tar.gzip}, {@code ...tar+zstd}, {@code ...tar}; DETECT for anything else.
     */
    public static Compression fromMediaType(String mediaType) {
        if (mediaType == null || mediaType.isEmpty()) {
            return DETECT;
        }
        String m = mediaType.toLowerCase(Locale.ROOT);
        if (m.endsWith("+encrypted")) {
            throw JcdException.notImplemented("layer media type %s is encrypted; decrypting layers is not supported", mediaType);
        }
        if (m.endsWith("+gzip") || m.endsWith(".gzip") || m.endsWith(".tar.gz")) {
            return GZIP;
        }
        if (m.endsWith("+zstd") || m.endsWith(".zstd")) {
            return ZSTD;
        }
        if (m.endsWith(".tar") || m.endsWith("layer.v1.tar") || m.endsWith(".layer.v1")) {
            return NONE;
        }
        if (m.contains("+")) {
            throw JcdException.notImplemented("layer media type %s uses a compression this applier does not know (gzip, zstd, none)",
                    mediaType);
        }
        return DETECT;
    }

    /** What the first bytes of a stream say: gzip 1f 8b, zstd 28 b5 2f fd, anything else uncompressed. */
    public static Compression fromMagic(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }
}
