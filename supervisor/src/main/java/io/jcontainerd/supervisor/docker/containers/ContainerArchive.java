package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code docker cp}: a path of a container's filesystem as a tar stream, and a tar stream
 * extracted into a directory of it. A running container is reached through its init's
 * {@code /proc/<pid>/root} (its binds and tmpfs included), a stopped one through its snapshot
 * mounted for the call. Every path is looked up in a {@link ContainerRoot}: openat2 with
 * RESOLVE_IN_ROOT, then one name in a directory held open, so neither a symlink in the archive
 * nor one the running container swaps in during the copy leads out of the container.
 */
public final class ContainerArchive {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LINKS = 40;
    private final ContainerManager containers;
    private final Path mountBase;
    private static final Syscalls SYS = Syscalls.linux();
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
    static String stat(Path p, String name, LinkOption... follow) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, follow);
        int perm = (Integer) Files.getAttribute(p, "unix:mode", follow) & 07777;
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
            try (ContainerRoot r = ContainerRoot.open(SYS, root); ContainerRoot.Place p = existing(c, r, path)) {
                return stat(p, baseName(path));
            }
        });
    }

    private static String stat(ContainerRoot.Place p, String name) throws IOException {
        return p.name().isEmpty() ? stat(p.dir().path(), name) : stat(p.file(), name, LinkOption.NOFOLLOW_LINKS);
    }

    private static ContainerRoot.Place existing(LiveContainer c, ContainerRoot r, String path) throws IOException {
        // a trailing slash follows a final symlink, as docker cp does
        ContainerRoot.Place p = r.place(path, path.endsWith("/"));
        if (p == null || (!p.name().isEmpty() && !Files.exists(p.file(), LinkOption.NOFOLLOW_LINKS))) {
            if (p != null) {
                p.close();
            }
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
     * Directories are walked by fd, never through a symlink.
     */
    public void archive(LiveContainer c, String path, Body body) throws IOException {
        withRoot(c, root -> {
            try (ContainerRoot r = ContainerRoot.open(SYS, root); ContainerRoot.Place p = existing(c, r, path)) {
                String prefix = path.endsWith("/.") ? "" : baseName(path);
                ContainerRoot.Dir dir = p.name().isEmpty() ? r.directory("/") : p.dir().subdirectory(p.name());
                if (dir == null) {
                    OutputStream out = body.open(stat(p, baseName(path)));
                    try (TarWriter tar = new TarWriter(out)) {
                        entry(tar, p.file(), prefix, LinkOption.NOFOLLOW_LINKS);
                    }
                    return null;
                }
                try (dir) {
                    OutputStream out = body.open(stat(dir.path(), baseName(path)));
                    try (TarWriter tar = new TarWriter(out)) {
                        if (!prefix.isEmpty()) {
                            entry(tar, dir.path(), prefix);
                        }
                        tree(tar, dir, prefix);
                    }
                }
            }
            return null;
        });
    }

    private static void tree(TarWriter tar, ContainerRoot.Dir dir, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir.path())) {
            list.forEach(f -> names.add(f.getFileName().toString()));
        }
        names.sort(null);
        for (String n : names) {
            String name = prefix.isEmpty() ? n : prefix + "/" + n;
            Path f = dir.child(n);
            if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                ContainerRoot.Dir sub = dir.subdirectory(n);
                if (sub != null) {
                    try (sub) {
                        entry(tar, sub.path(), name);
                        tree(tar, sub, name);
                    }
                }
            } else if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                entry(tar, f, name, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /** Starts the response with the stat header and gives the stream its body goes to. */
    public interface Body {
        OutputStream open(String stat);
    }

    private static void entry(TarWriter tar, Path f, String name, LinkOption... follow) throws IOException {
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, follow);
        int mode = (Integer) Files.getAttribute(f, "unix:mode", follow) & 07777;
        int uid = (Integer) Files.getAttribute(f, "unix:uid", follow);
        int gid = (Integer) Files.getAttribute(f, "unix:gid", follow);
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

    /**
     * Extracts the tar {@code in} into the directory {@code path} of the container; 404 if it is
     * missing, 400 if it is not a directory. Each entry's parent is looked up again inside the
     * container's root (openat2 RESOLVE_IN_ROOT) and the entry made in it by name, never through
     * a symlink: a symlink the archive or the container puts in the way leads to a place inside
     * the container, never to the host.
     */
    public void extract(LiveContainer c, String path, InputStream in) throws IOException {
        withRoot(c, root -> {
            try (ContainerRoot r = ContainerRoot.open(SYS, root)) {
                ContainerRoot.Dir dest;
                try {
                    dest = r.directory(path);
                } catch (DockerApiException e) {
                    throw DockerApiException.badRequest("extraction point is not a directory: %s", path);
                }
                if (dest == null) {
                    throw DockerApiException.notFound("Could not find the file %s in container %s", path, c.doc().name());
                }
                dest.close();
                List<String> base = ContainerRoot.clean(path);
                TarReader tar = new TarReader(in);
                TarEntry e;
                while ((e = tar.next()) != null) {
                    List<String> parts = components(e.name());
                    if (parts.contains("..")) {
                        throw DockerApiException.badRequest("archive entry %s climbs out of the destination", e.name());
                    }
                    if (parts.isEmpty()) {
                        continue;
                    }
                    List<String> parent = new ArrayList<>(base);
                    parent.addAll(parts.subList(0, parts.size() - 1));
                    try (ContainerRoot.Dir dir = r.directories(parent)) {
                        write(r, base, dir, parts.getLast(), e, tar);
                    }
                }
            }
            return null;
        });
    }

    private static void write(ContainerRoot r, List<String> base, ContainerRoot.Dir dir, String name, TarEntry e, TarReader tar)
            throws IOException {
        Path target = dir.child(name);
        switch (e.type()) {
            case DIR -> {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(target);
                    Files.createDirectory(target);
                }
            }
            case FILE -> {
                Path tmp = dir.child(".docker-cp-" + UUID.randomUUID());
                try {
                    Files.copy(new BoundedInput(tar, e.size()), tmp);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            case SYMLINK -> {
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(e.linkName()));
            }
            case HARDLINK -> {
                List<String> link = new ArrayList<>(base);
                link.addAll(components(e.linkName()));
                try (ContainerRoot.Place from = r.place(String.join("/", link), false)) {
                    if (from == null || from.name().isEmpty()) {
                        throw DockerApiException.badRequest("archive entry %s links to %s, which is not in the archive's destination",
                                e.name(), e.linkName());
                    }
                    Files.deleteIfExists(target);
                    Files.createLink(target, from.file());
                }
            }
            default -> throw DockerApiException.badRequest("archive entry %s is a device or FIFO, which docker cp cannot create here", e.name());
        }
        if (e.type() != TarEntry.Type.SYMLINK) {
            Files.setAttribute(target, "unix:mode", e.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
            Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(Instant.ofEpochSecond(e.mtimeSeconds())), null, null);
        }
        Files.setAttribute(target, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
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
