package io.jcontainerd.snapshot.apply;

import com.github.luben.zstd.ZstdInputStream;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.apply.tar.TarFormatException;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.snapshot.linux.ErrnoException;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Applies a layer blob to a directory (containerd's Diff service Apply, for one snapshot):
 * decompresses it (gzip, zstd or none, by media type and by magic bytes), unpacks the tar with
 * owners, modes, times, xattrs, links and device nodes, and turns OCI whiteouts into what the
 * snapshotter needs ({@link WhiteoutMode}). It hashes the uncompressed stream on the way, so the
 * caller can check the diff ID against the image config.
 *
 * <p>No entry can write outside {@code targetDir}: see {@link RootResolver}. Entries with a
 * leading "/" are taken relative to the target, as containerd does. On failure the target is
 * left half-written: the caller removes the snapshot it was applying to.
 */
public final class LayerApplier {
    private static final int BUFFER = 256 * 1024;
    /** Chunks read ahead of the tar reader: enough to ride out a run of small files. */
    static final int READ_AHEAD_DEPTH = 16;

    private final Syscalls sys;

    public LayerApplier() {
        this(Syscalls.linux());
    }

    public LayerApplier(Syscalls sys) {
        this.sys = sys;
    }

    /** Applies a layer whose media type is known (e.g. {@code application/vnd.oci.image.layer.v1.tar+gzip}). */
    public Applied apply(InputStream layer, String mediaType, Path targetDir, WhiteoutMode whiteouts) {
        return apply(layer, Compression.fromMediaType(mediaType), targetDir, whiteouts);
    }

    /**
     * Applies the layer read from {@code layer} (not closed here) to {@code targetDir}, an
     * existing directory: the upper directory of an overlay snapshot or the full copy of a native one.
     */
    public Applied apply(InputStream layer, Compression compression, Path targetDir, WhiteoutMode whiteouts) {
        return apply(layer, compression, targetDir, List.of(), whiteouts);
    }

    /**
     * Applies into an overlay upper directory whose lower layers ({@code lowers}, nearest first)
     * are given, so that parent directories the layer implies but does not list get the owner,
     * mode and mtime they have below (what the merged view will show).
     */
    public Applied apply(InputStream layer, Compression compression, Path targetDir, List<Path> lowers, WhiteoutMode whiteouts) {
        if (!Files.isDirectory(targetDir)) {
            throw JcdException.notFound("layer target directory %s does not exist", targetDir);
        }
        Unpacker unpacker = new Unpacker(targetDir.toAbsolutePath().normalize(), lowers, whiteouts, sys, ChunkPool.LAYERS);
        DigestingInputStream tarStream = null;
        ReadAheadInputStream ahead = null;
        try {
            InputStream raw = new BufferedInputStream(layer, BUFFER);
            Compression actual = detect(raw, compression);
            tarStream = new DigestingInputStream(decompressor(raw, actual));
            ahead = new ReadAheadInputStream(tarStream, ChunkPool.LAYERS, READ_AHEAD_DEPTH);
            TarReader tar = new TarReader(ahead);
            unpacker.unpack(tar);
            ahead.drain(); // the diff ID covers the whole stream, padding after the end marker too
            return new Applied(tarStream.digest(), tarStream.count());
        } catch (JcdException e) {
            throw e;
        } catch (UncheckedIOException e) {
            throw failure(e.getCause(), unpacker, tarStream);
        } catch (IOException e) {
            throw failure(e, unpacker, tarStream);
        } finally {
            if (ahead != null) {
                ahead.close();
            }
            unpacker.close();
        }
    }

    private static Compression detect(InputStream in, Compression declared) throws IOException {
        in.mark(4);
        byte[] head = new byte[4];
        int n = in.readNBytes(head, 0, 4);
        in.reset();
        Compression magic = Compression.fromMagic(head, n);
        if (declared == Compression.DETECT || declared == magic) {
            return magic;
        }
        if (declared == Compression.NONE && n == 0) {
            return Compression.NONE;
        }
        throw JcdException.invalidArgument("layer was declared %s but its first bytes say %s; the blob does not match its media type",
                declared.name().toLowerCase(java.util.Locale.ROOT), magic.name().toLowerCase(java.util.Locale.ROOT));
    }

    private static InputStream decompressor(InputStream raw, Compression c) throws IOException {
        return switch (c) {
            case GZIP -> new GZIPInputStream(raw, BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(raw), BUFFER);
            case NONE, DETECT -> raw;
        };
    }

    private static JcdException failure(IOException e, Unpacker unpacker, DigestingInputStream tarStream) {
        String where = unpacker.currentEntry().isEmpty() ? "" : " at entry " + unpacker.currentEntry();
        long offset = tarStream == null ? 0 : tarStream.count();
        if (e instanceof TarFormatException) {
            return JcdException.invalidArgument("layer is not a valid tar stream%s: %s", where, e.getMessage());
        }
        if (e instanceof ZipException || e instanceof EOFException
                || (e.getClass().getName().startsWith("com.github.luben.zstd"))) {
            return JcdException.invalidArgument("layer is corrupt or truncated%s (after %d uncompressed bytes): %s; fetch the blob again",
                    where, offset, e.getMessage());
        }
        if (e instanceof ErrnoException x && x.errno() == ErrnoException.ENOSPC
                || String.valueOf(e.getMessage()).contains("No space left on device")) {
            return (JcdException) JcdException.of(ErrorKind.UNAVAILABLE,
                    "no space left on device while applying the layer" + where + " to " + unpacker.root()
                            + "; free space and pull again", e);
        }
        return JcdException.of(ErrorKind.UNKNOWN, "cannot apply layer" + where + " to " + unpacker.root() + ": " + e, e);
    }
}
