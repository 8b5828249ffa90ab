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

    /**
     * One tar entry for {@code f}, as dockerd's pkg/archive writes it (addTarFile): a symlink, a
     * directory, a regular file with its bytes, a FIFO or a character/block device as a header of
     * its own type (never opened for reading), a socket left out. A file that is not a directory
     * is first held by an O_PATH|O_NOFOLLOW fd (opening that blocks on nothing and reads nothing)
     * and classified by that fd; only a regular file is then opened for reading, through the held
     * fd, so a FIFO or device the container swaps in after the lookup is never opened to be read
     * (the copy thread cannot hang on it).
     */
    private static void entry(TarWriter tar, Path f, String name, LinkOption... follow) throws IOException {
        if (follow.length == 0) {
            // a directory (held open by the caller)
            PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
            tar.write(new TarEntry(name + "/", TarEntry.Type.DIR, mode(f), (Integer) Files.getAttribute(f, "unix:uid"),
                    (Integer) Files.getAttribute(f, "unix:gid"), 0, a.lastModifiedTime().toInstant().getEpochSecond(), 0, "", 0, 0, Map.of()),
                    InputStream.nullInputStream());
            return;
        }
        int fd;
        try {
            fd = SYS.openat2(-100 /* AT_FDCWD */, f.toString(), Syscalls.O_PATH | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC, 0);
        } catch (java.io.UncheckedIOException e) {
            if (ContainerRoot.errno(e) == 2 /* ENOENT */) {
                return; // removed meanwhile: as dockerd, left out
            }
            throw e;
        }
        try {
            Path held = Path.of("/proc/self/fd/" + fd);
            // stat through the fd's magic link lands on the held inode itself (for a symlink, the link: not followed further)
            Map<String, Object> u = Files.readAttributes(held, "unix:mode,uid,gid,rdev,size,lastModifiedTime");
            int st = (Integer) u.get("mode");
            int mode = st & 07777;
            int uid = (Integer) u.get("uid");
            int gid = (Integer) u.get("gid");
            long mtime = ((java.nio.file.attribute.FileTime) u.get("lastModifiedTime")).toInstant().getEpochSecond();
            long rdev = (Long) u.get("rdev");
            int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
            int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
            switch (st & 0170000) {
                case 0120000 -> tar.write(new TarEntry(name, TarEntry.Type.SYMLINK, mode, uid, gid, 0, mtime, 0,
                        Files.readSymbolicLink(f).toString(), 0, 0, Map.of()), InputStream.nullInputStream());
                case 0040000 -> tar.write(new TarEntry(name + "/", TarEntry.Type.DIR, mode, uid, gid, 0, mtime, 0, "", 0, 0, Map.of()),
                        InputStream.nullInputStream());
                case 0100000 -> {
                    // reopening the held fd opens the same inode, a regular file: no FIFO or device can be swapped in here
                    try (InputStream in = Files.newInputStream(held)) {
                        tar.write(new TarEntry(name, TarEntry.Type.FILE, mode, uid, gid, (Long) u.get("size"), mtime, 0, "", 0, 0, Map.of()), in);
                    }
                }
                case 0010000 -> tar.write(new TarEntry(name, TarEntry.Type.FIFO, mode, uid, gid, 0, mtime, 0, "", 0, 0, Map.of()),
                        InputStream.nullInputStream());
                case 0020000 -> tar.write(new TarEntry(name, TarEntry.Type.CHAR, mode, uid, gid, 0, mtime, 0, "", major, minor, Map.of()),
                        InputStream.nullInputStream());
                case 0060000 -> tar.write(new TarEntry(name, TarEntry.Type.BLOCK, mode, uid, gid, 0, mtime, 0, "", major, minor, Map.of()),
                        InputStream.nullInputStream());
                default -> {
                    // a socket: Go's tar has no header for it, dockerd leaves it out
                }
            }
        } finally {
            SYS.close(fd);
        }
    }

    private static int mode(Path f) throws IOException {
        return (Integer) Files.getAttribute(f, "unix:mode") & 07777;
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
