package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.snapshot.mount.Mounter;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code docker cp}: a path of a container's filesystem as a tar stream, and a tar stream
 * extracted into a directory of it. A running container is reached through its init's
 * {@code /proc/<pid>/root} (its binds and tmpfs included), a stopped one through its snapshot
 * mounted for the call. Paths are resolved one component at a time with the container's root
 * as "/" (absolute symlinks start again there), so no name leads out of it.
 */
public final class ContainerArchive {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LINKS = 40;
    private final ContainerManager containers;
    private final Path mountBase;
    private final Mounter mounter = Mounter.linux();

    public ContainerArchive(ContainerManager containers, Path mountBase) {
        this.containers = containers;
        this.mountBase = mountBase;
    }

    /** Work on the container's root filesystem. */
    public interface RootWork<T> {
        T apply(Path root) throws IOException;
    }

    public <T> T withRoot(LiveContainer c, RootWork<T> work) throws IOException {
        long pid = c.doc().state().pid();
        if (c.running() && pid > 0) {
            return work.apply(Path.of("/proc/" + pid + "/root"));
        }
        Path target = mountBase.resolve(c.id().substring(0, 12) + "-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(target);
        List<Mount> mounts = containers.rootfs(c).stream()
                .map(m -> new Mount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList())).toList();
        mounter.mountAll(mounts, target);
        try {
            return work.apply(target);
        } finally {
            mounter.unmountAll(target);
            Files.deleteIfExists(target);
        }
    }

    /** The host path of {@code path} inside {@code root}, symlinks followed as the container would (the last one only if {@code followLast}). */
    public static Path resolve(Path root, String path, boolean followLast) throws IOException {
        List<String> todo = new ArrayList<>(components(path));
        List<Path> stack = new ArrayList<>();
        Path cur = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals("..")) {
                cur = stack.isEmpty() ? root : stack.removeLast();
                continue;
            }
            Path next = cur.resolve(c);
            if (Files.isSymbolicLink(next) && (followLast || !todo.isEmpty())) {
                if (++links > MAX_LINKS) {
                    throw DockerApiException.badRequest("too many levels of symbolic links in %s", path);
                }
                String target = Files.readSymbolicLink(next).toString();
                List<String> more = new ArrayList<>(components(target));
                more.addAll(todo);
                todo = more;
                if (target.startsWith("/")) {
                    cur = root;
                    stack.clear();
                }
                continue;
            }
            stack.add(cur);
            cur = next;
        }
        return cur;
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty() && !s.equals(".")) {
                out.add(s);
            }
        }
        return out;
    }

    /** The X-Docker-Container-Path-Stat header: base64 of {name, size, mode (Go's FileMode bits), mtime, linkTarget}. */
    static String stat(Path p, String name) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int perm = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        long mode = perm & 0777;
        if (a.isDirectory()) {
            mode |= 1L << 31;
        } else if (a.isSymbolicLink()) {
            mode |= 1L << 27;
        }
        ObjectNode n = JSON.createObjectNode().put("name", name).put("size", a.size()).put("mode", mode)
                .put("mtime", a.lastModifiedTime().toInstant().toString())
                .put("linkTarget", a.isSymbolicLink() ? Files.readSymbolicLink(p).toString() : "");
        return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(n));
    }

    /** The stat header of {@code path} in the container; 404 when it is not there. */
    public String stat(LiveContainer c, String path) throws IOException {
        return withRoot(c, root -> {
            Path p = existing(c, root, path);
            return stat(p, baseName(path));
        });
    }

    private static Path existing(LiveContainer c, Path root, String path) throws IOException {
        Path p = resolve(root, path, path.endsWith("/")); // a trailing slash follows a final symlink, as docker cp does
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw DockerApiException.notFound("Could not find the file %s in container %s", path, c.doc().name());
        }
        return p;
    }

    private static String baseName(String path) {
        List<String> c = components(path);
        return c.isEmpty() ? "/" : c.getLast();
    }

    /**
     * Writes {@code path} as a tar to {@code out}: a file as one entry named by its base name, a
     * directory with its tree under its base name (its contents only when the path ends in "/.").
     */
    public void archive(LiveContainer c, String path, Body body) throws IOException {
        withRoot(c, root -> {
            Path p = existing(c, root, path);
            OutputStream out = body.open(stat(p, baseName(path)));
            String prefix = path.endsWith("/.") ? "" : baseName(path);
            try (TarWriter tar = new TarWriter(out)) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entry(tar, p, prefix);
                } else {
                    try (Stream<Path> walk = Files.walk(p)) {
                        for (Path f : (Iterable<Path>) walk::iterator) {
                            String rel = p.relativize(f).toString();
                            String name = prefix.isEmpty() ? rel : rel.isEmpty() ? prefix : prefix + "/" + rel;
                            if (!name.isEmpty()) {
                                entry(tar, f, name);
                            }
                        }
                    }
                }
            }
            return null;
        });
    }

    /** Starts the response with the stat header and gives the stream its body goes to. */
    public interface Body {
        OutputStream open(String stat);
    }

    private static void entry(TarWriter tar, Path f, String name) throws IOException {
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(f, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        int uid = (Integer) Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(f, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        long mtime = a.lastModifiedTime().toInstant().getEpochSecond();
        if (a.isSymbolicLink()) {
            tar.write(new TarEntry(name, TarEntry.Type.SYMLINK, mode, uid, gid, 0, mtime, 0, Files.readSymbolicLink(f).toString(),
                    0, 0, Map.of()), InputStream.nullInputStream());
        } else if (a.isDirectory()) {
            tar.write(new TarEntry(name + "/", TarEntry.Type.DIR, mode, uid, gid, 0, mtime, 0, "", 0, 0, Map.of()), InputStream.nullInputStream());
        } else if (a.isRegularFile()) {
            try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
                tar.write(new TarEntry(name, TarEntry.Type.FILE, mode, uid, gid, a.size(), mtime, 0, "", 0, 0, Map.of()), in);
            }
        }
        // sockets, FIFOs and device nodes are left out, as they cannot be copied meaningfully
    }

    /** Extracts the tar {@code in} into the directory {@code path} of the container; 404 if it is missing, 400 if it is not a directory. */
    public void extract(LiveContainer c, String path, InputStream in) throws IOException {
        withRoot(c, root -> {
            Path dir = resolve(root, path, true);
            if (!Files.exists(dir)) {
                throw DockerApiException.notFound("Could not find the file %s in container %s", path, c.doc().name());
            }
            if (!Files.isDirectory(dir)) {
                throw DockerApiException.badRequest("extraction point is not a directory: %s", path);
            }
            TarReader tar = new TarReader(in);
            TarEntry e;
            while ((e = tar.next()) != null) {
                List<String> parts = components(e.name());
                if (parts.isEmpty() || parts.contains("..")) {
                    if (parts.contains("..")) {
                        throw DockerApiException.badRequest("archive entry %s climbs out of the destination", e.name());
                    }
                    continue;
                }
                Path parent = resolve(dir, String.join("/", parts.subList(0, parts.size() - 1)), true);
                if (!parent.normalize().startsWith(root.normalize())) {
                    throw DockerApiException.badRequest("archive entry %s leads out of the container", e.name());
                }
                Files.createDirectories(parent);
                Path target = parent.resolve(parts.getLast());
                switch (e.type()) {
                    case DIR -> {
                        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                            Files.deleteIfExists(target);
                            Files.createDirectory(target);
                        }
                    }
                    case FILE -> {
                        Path tmp = parent.resolve(".docker-cp-" + UUID.randomUUID());
                        Files.copy(new BoundedInput(tar, e.size()), tmp);
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                    case SYMLINK -> {
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(e.linkName()));
                    }
                    case HARDLINK -> {
                        Path from = resolve(dir, e.linkName(), false);
                        Files.deleteIfExists(target);
                        Files.createLink(target, from);
                    }
                    default -> throw DockerApiException.badRequest("archive entry %s is a device or FIFO, which docker cp cannot create here", e.name());
                }
                if (e.type() != TarEntry.Type.SYMLINK) {
                    Files.setAttribute(target, "unix:mode", e.mode() & 07777);
                    Files.setLastModifiedTime(target, FileTime.from(Instant.ofEpochSecond(e.mtimeSeconds())));
                }
                Files.setAttribute(target, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(target, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
            }
            return null;
        });
    }

    /** The current entry's bytes of a tar reader as a stream. */
    private static final class BoundedInput extends InputStream {
        private final TarReader tar;
        private long left;

        BoundedInput(TarReader tar, long size) {
            this.tar = tar;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = tar.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
