package io.jcontainerd.content.store;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Content in plain files, laid out as containerd's content/local:
 * <pre>
 *   &lt;root&gt;/blobs/&lt;alg&gt;/&lt;hex&gt;                       committed, read-only blobs
 *   &lt;root&gt;/ingest/&lt;sha256(ref)&gt;/data                   bytes written so far
 *   &lt;root&gt;/ingest/&lt;sha256(ref)&gt;/ref                    the ingest's name
 *   &lt;root&gt;/ingest/&lt;sha256(ref)&gt;/total, expected        what the writer announced
 *   &lt;root&gt;/ingest/&lt;sha256(ref)&gt;/startedat, updatedat   ISO-8601 instants
 * </pre>
 * A commit renames data into blobs/ (one rename(2) on the same file system), so a reader never sees
 * a partial blob. Ingests survive a restart; a new writer on the same ref re-hashes the data file and
 * continues. Writers on one ref exclude each other within this store instance.
 */
public final class LocalContentStore implements ContentStore {

    private final Path root;
    private final Path blobs;
    private final Path ingest;
    private final Set<String> locked = ConcurrentHashMap.newKeySet();

    private LocalContentStore(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.ingest = root.resolve("ingest");
    }

    /** Opens (creating if needed) a store rooted at the given directory. */
    public static LocalContentStore open(Path root) {
        LocalContentStore s = new LocalContentStore(root.toAbsolutePath());
        try {
            Files.createDirectories(s.blobs.resolve(Digest.SHA256));
            Files.createDirectories(s.ingest);
        } catch (IOException e) {
            throw StoreIo.failed("create the content store at", root, e);
        }
        return s;
    }

    public Path root() {
        return root;
    }

    /** Where a committed blob lives (whether or not it exists). */
    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex());
    }

    Path ingestDir(String ref) {
        return ingest.resolve(Digest.of(ref.getBytes(StandardCharsets.UTF_8)).hex());
    }

    // ---- Provider / Manager

    @Override
    public Info info(Digest digest) {
        Path p = blobPath(digest);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Info(digest, a.size(), a.lastModifiedTime().toInstant(), a.lastModifiedTime().toInstant());
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        } catch (IOException e) {
            throw StoreIo.failed("stat", p, e);
        }
    }

    private static JcdException notFound(Digest digest) {
        return JcdException.notFound("content %s: not found in the content store", digest);
    }

    @Override
    public ReaderAt readerAt(Digest digest) {
        Path p = blobPath(digest);
        try {
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            long size = ch.size();
            return new ReaderAt() {
                @Override
                public int readAt(ByteBuffer dst, long position) throws IOException {
                    return ch.read(dst, position);
                }

                @Override
                public long size() {
                    return size;
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        } catch (IOException e) {
            throw StoreIo.failed("open", p, e);
        }
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        Path p = blobPath(digest);
        try {
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            if (offset < 0 || offset > ch.size()) {
                long size = ch.size();
                ch.close();
                throw JcdException.invalidArgument("offset %d is outside content %s of %d bytes", offset, digest, size);
            }
            ch.position(offset);
            return Channels.newInputStream(ch);
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        } catch (IOException e) {
            throw StoreIo.failed("open", p, e);
        }
    }

    @Override
    public void walk(Consumer<Info> visitor) {
        try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobs)) {
            for (Path alg : algs) {
                List<Path> files;
                try (Stream<Path> s = Files.list(alg)) {
                    files = s.toList();
                }
                for (Path f : files) {
                    Digest d;
                    try {
                        d = new Digest(alg.getFileName().toString(), f.getFileName().toString());
                    } catch (JcdException notADigest) {
                        continue; // stray file, not content
                    }
                    try {
                        visitor.accept(info(d));
                    } catch (io.jcontainerd.config.errdefs.NotFoundException deletedMeanwhile) {
                        // removed between listing and stat: not content any more
                    }
                }
            }
        } catch (IOException e) {
            throw StoreIo.failed("list", blobs, e);
        } catch (UncheckedIOException e) {
            throw StoreIo.failed("list", blobs, e);
        }
    }

    @Override
    public void delete(Digest digest) {
        Path p = blobPath(digest);
        try {
            if (!Files.deleteIfExists(p)) {
                throw notFound(digest);
            }
        } catch (IOException e) {
            throw StoreIo.failed("delete", p, e);
        }
    }

    // ---- Ingester

    @Override
    public ContentWriter writer(String ref, long total, Digest expected) {
        if (ref == null || ref.isEmpty()) {
            throw JcdException.invalidArgument("an ingest needs a non-empty ref (e.g. \"layer-sha256:...\")");
        }
        if (total < 0) {
            throw JcdException.invalidArgument("ingest %s: negative total %d", ref, total);
        }
        if (expected != null && Files.exists(blobPath(expected))) {
            throw JcdException.alreadyExists("content %s: already exists", expected);
        }
        if (!locked.add(ref)) {
            throw JcdException.unavailable("ingest ref \"%s\" is locked by another writer: retry when it is done", ref);
        }
        try {
            return LocalContentWriter.openOrResume(this, ref, ingestDir(ref), total, expected);
        } catch (RuntimeException e) {
            locked.remove(ref);
            throw e;
        }
    }

    void unlock(String ref) {
        locked.remove(ref);
    }

    /** Publishes a finished data file under its digest; false if the blob already existed. */
    boolean publish(Path data, Digest digest) throws IOException {
        Path target = blobPath(digest);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            return false;
        }
        Files.move(data, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the blob stays writable, which only loses a safety net
        }
        return true;
    }

    // ---- IngestManager

    @Override
    public List<IngestStatus> listStatuses() {
        List<IngestStatus> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ingest)) {
            for (Path dir : dirs) {
                IngestFiles.read(dir).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw StoreIo.failed("list", ingest, e);
        }
        return out;
    }

    @Override
    public IngestStatus status(String ref) {
        return IngestFiles.read(ingestDir(ref))
                .filter(s -> s.ref().equals(ref))
                .orElseThrow(() -> JcdException.notFound("ingest ref \"%s\": not found", ref));
    }

    @Override
    public void abort(String ref) {
        Path dir = ingestDir(ref);
        if (!Files.isDirectory(dir)) {
            throw JcdException.notFound("ingest ref \"%s\": not found, nothing to abort", ref);
        }
        IngestFiles.removeDir(dir);
    }

    static Instant now() {
        return Instant.now();
    }
}
