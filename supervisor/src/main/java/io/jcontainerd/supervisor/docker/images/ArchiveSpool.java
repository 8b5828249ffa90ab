package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An image tarball (docker save's docker-archive or an OCI image layout) read from a stream into
 * a private directory, one file per tar entry under a numbered name, never under the entry's own
 * name: nothing in the archive names a place on the host. Entry names are checked (no absolute
 * path, no "..", at most {@link #MAX_ENTRIES} entries, PAX headers bounded by the tar reader);
 * a symlink between two files of the archive (docker save writes them for shared layers) is kept
 * only if it stays inside the archive. Each file's sha256 is computed while it is written.
 * What it writes is bounded by {@link DaemonConfig.DockerLoad}: an entry whose declared size would
 * take the spool past {@code load_max_bytes}, or the root's filesystem below {@code load_min_free_bytes}
 * free, is refused (413) before any of its bytes are written, and the spool is removed.
 */
final class ArchiveSpool implements AutoCloseable {
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_JSON = 8 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final DaemonConfig.DockerLoad limits;
    private long written;
    private final Map<String, Spooled> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    /** A regular file of the archive: where it is spooled, its size and sha256 ("sha256:<hex>"). */
    record Spooled(Path path, long size, String digest) {
    }

    private ArchiveSpool(Path dir, DaemonConfig.DockerLoad limits) {
        this.dir = dir;
        this.limits = limits;
    }

    static ArchiveSpool read(InputStream in, Path parent, DaemonConfig.DockerLoad limits) throws IOException {
        Files.createDirectories(parent);
        ArchiveSpool s = new ArchiveSpool(Files.createTempDirectory(parent, "load-"), limits);
        try {
            s.fill(in);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            if (e instanceof io.jcontainerd.snapshot.apply.tar.TarFormatException) {
                throw DockerApiException.badRequest("the image archive is not a valid tar stream: %s", e.getMessage());
            }
            throw e;
        }
    }

    private void fill(InputStream in) throws IOException {
        TarReader tar = new TarReader(in);
        TarEntry e;
        int count = 0;
        byte[] buf = new byte[64 * 1024];
        while ((e = tar.next()) != null) {
            if (++count > MAX_ENTRIES) {
                throw DockerApiException.badRequest("the image archive has more than %d entries", MAX_ENTRIES);
            }
            String name = clean(e.name());
            switch (e.type()) {
                case DIR -> {
                    // directories are implied by their files
                }
                case FILE -> {
                    reserve(e.name(), e.size());
                    Path to = dir.resolve(Integer.toString(count));
                    MessageDigest sha = sha256();
                    long size = 0;
                    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(to), sha)) {
                        long left = e.size();
                        while (left > 0) {
                            int n = tar.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) {
                                throw DockerApiException.badRequest("the image archive ends inside %s", e.name());
                            }
                            out.write(buf, 0, n);
                            left -= n;
                            size += n;
                        }
                    }
                    files.put(name, new Spooled(to, size, "sha256:" + HexFormat.of().formatHex(sha.digest())));
                }
                case SYMLINK, HARDLINK -> {
                    // a hard link names a file from the archive's top, a symlink from its own directory
                    links.put(name, linkTarget(e.name(), e.type() == TarEntry.Type.HARDLINK ? "" : parentOf(name), e.linkName()));
                }
                default -> throw DockerApiException.badRequest("the image archive holds %s, a device or FIFO: an image archive has only files",
                        e.name());
            }
        }
    }

    /**
     * Refuses (413) an entry of {@code size} bytes that would take the spool past load_max_bytes or
     * leave less than load_min_free_bytes free on the spool's filesystem; else counts it as written.
     */
    private void reserve(String name, long size) throws IOException {
        if (size > limits.maxBytes() - written) {
            throw DockerApiException.tooLarge("the image archive is larger than %d bytes (at entry %s of %d bytes, after %d bytes):"
                    + " docker load is limited by load_max_bytes in the [docker] section of the daemon's configuration",
                    limits.maxBytes(), name, size, written);
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free - size < limits.minFreeBytes()) {
            throw DockerApiException.tooLarge("the image archive's entry %s of %d bytes would leave less than %d bytes free on %s (%d free):"
                    + " free space there, or lower load_min_free_bytes in the [docker] section of the daemon's configuration",
                    name, size, limits.minFreeBytes(), dir.getParent(), free);
        }
        written += size;
    }

    /** The entry name relative to the archive's top; "..", absolute names and empty names are refused. */
    static String clean(String name) {
        List<String> out = new ArrayList<>();
        String n = name.startsWith("./") ? name.substring(2) : name;
        if (n.startsWith("/")) {
            throw DockerApiException.badRequest("image archive entry %s is an absolute path", name);
        }
        for (String s : n.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                throw DockerApiException.badRequest("image archive entry %s climbs out of the archive (..)", name);
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            return "";
        }
        return String.join("/", out);
    }

    /** Where a link leads inside the archive; a target that is absolute or climbs above the top is refused. */
    static String linkTarget(String entry, String dir, String link) {
        if (link.startsWith("/")) {
            throw DockerApiException.badRequest("image archive entry %s links to %s, an absolute path", entry, link);
        }
        List<String> out = new ArrayList<>();
        if (!dir.isEmpty()) {
            out.addAll(List.of(dir.split("/")));
        }
        for (String s : link.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (out.isEmpty()) {
                    throw DockerApiException.badRequest("image archive entry %s links to %s, which climbs out of the archive (..)", entry, link);
                }
                out.removeLast();
                continue;
            }
            out.add(s);
        }
        return String.join("/", out);
    }

    private static String parentOf(String name) {
        int i = name.lastIndexOf('/');
        return i < 0 ? "" : name.substring(0, i);
    }

    /** The file an archive name holds, links followed inside the archive (at most 40); empty when missing. */
    Optional<Spooled> file(String name) {
        String n = clean(name);
        for (int hops = 0; hops < 40; hops++) {
            Spooled f = files.get(n);
            if (f != null) {
                return Optional.of(f);
            }
            String next = links.get(n);
            if (next == null) {
                return Optional.empty();
            }
            n = next;
        }
        throw DockerApiException.badRequest("image archive entry %s is a loop of links", name);
    }

    /** The file an archive name holds; a 400 naming it when the archive lacks it. */
    Spooled require(String name, String what) {
        return file(name).orElseThrow(() -> DockerApiException.badRequest("the image archive lacks %s (%s)", name, what));
    }

    boolean has(String name) {
        return file(name).isPresent();
    }

    /** A JSON file of the archive (at most {@link #MAX_JSON} bytes). */
    JsonNode json(String name, String what) throws IOException {
        Spooled f = require(name, what);
        if (f.size() > MAX_JSON) {
            throw DockerApiException.badRequest("%s in the image archive is %d bytes, more than the %d a JSON file may have", name, f.size(), MAX_JSON);
        }
        try {
            return JSON.readTree(f.path().toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw DockerApiException.badRequest("%s in the image archive is not valid JSON: %s", name, e.getOriginalMessage());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes what loads and saves of a daemon that was killed left in {@code parent}. */
    static void removeLeftovers(Path parent) {
        if (Files.isDirectory(parent)) {
            try (Stream<Path> list = Files.list(parent)) {
                list.forEach(ArchiveSpool::delete);
            } catch (IOException ignored) {
                // tried again at the next start
            }
        }
    }

    @Override
    public void close() {
        delete(dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // removed at the daemon's next start
        }
    }
}
