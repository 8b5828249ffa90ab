package io.jcontainerd.supervisor.docker.images;

import com.github.luben.zstd.ZstdInputStream;
import io.jcontainerd.snapshot.apply.Compression;
import io.jcontainerd.supervisor.docker.Containerd;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** A layer blob of the facade's namespace as its uncompressed tar (gzip, zstd or plain, told by its first bytes): docker save, image sizes. */
final class LayerTar {
    private static final int BUFFER = 64 * 1024;

    private LayerTar() {
    }

    /** The layer blob {@code digest} uncompressed; closing the stream before its end cancels the read. */
    static InputStream open(Containerd cd, String digest) throws IOException {
        InputStream blob = new BufferedInputStream(ContentBlobs.open(cd, digest), BUFFER);
        blob.mark(4);
        byte[] head = new byte[4];
        int n = blob.readNBytes(head, 0, 4);
        blob.reset();
        return switch (Compression.fromMagic(head, n)) {
            case GZIP -> new GZIPInputStream(blob, BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(blob), BUFFER);
            default -> blob;
        };
    }
}
