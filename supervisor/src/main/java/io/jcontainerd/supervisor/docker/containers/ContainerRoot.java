package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.snapshot.linux.ErrnoException;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.jcontainerd.snapshot.linux.Syscalls.O_CLOEXEC;
import static io.jcontainerd.snapshot.linux.Syscalls.O_DIRECTORY;
import static io.jcontainerd.snapshot.linux.Syscalls.O_NOFOLLOW;
import static io.jcontainerd.snapshot.linux.Syscalls.O_PATH;
import static io.jcontainerd.snapshot.linux.Syscalls.RESOLVE_BENEATH;
import static io.jcontainerd.snapshot.linux.Syscalls.RESOLVE_IN_ROOT;
import static io.jcontainerd.snapshot.linux.Syscalls.RESOLVE_NO_MAGICLINKS;
import static io.jcontainerd.snapshot.linux.Syscalls.RESOLVE_NO_SYMLINKS;

/**
 * A container's root filesystem (a running one's {@code /proc/<pid>/root}, a stopped one's
 * mounted snapshot) held open as a directory fd, in which docker cp looks every path up with
 * {@code openat2(RESOLVE_IN_ROOT)}: symlinks, absolute ones included, and ".." resolve against
 * the container's root whatever the container swaps in meanwhile, so no name leads to the host.
 *
 * <p>What is looked up is a directory held open ({@link Dir}); files are then reached as one
 * name in it through {@code /proc/self/fd/<fd>/<name>} and only with calls that do not follow a
 * symlink in that last name (lstat, open with O_NOFOLLOW, rename, mkdir, symlink, lchown), so
 * between the lookup and the use nothing the container does can redirect them.
 */
final class ContainerRoot implements AutoCloseable {
    private static final long IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    private static final long BENEATH = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;
    private static final int ELOOP = 40;
    private static final int ATTEMPTS = 100;
    private final Syscalls sys;
    private final int root;

    private ContainerRoot(Syscalls sys, int root) {
        this.sys = sys;
        this.root = root;
    }

    static ContainerRoot open(Syscalls sys, Path root) {
        try {
            return new ContainerRoot(sys, sys.openat2(-100 /* AT_FDCWD */, root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
        } catch (UncheckedIOException e) {
            throw DockerApiException.internal("cannot open the container's root %s: %s", root, e.getCause().getMessage());
        }
    }

    /** A directory of the container held open: its files are {@link #child}ren of {@link #path}. */
    final class Dir implements AutoCloseable {
        final int fd;

        private Dir(int fd) {
            this.fd = fd;
        }

        /** The directory itself, through its fd. */
        Path path() {
            return Path.of("/proc/self/fd/" + fd);
        }

        /** One name in this directory; use it only with calls that do not follow a final symlink. */
        Path child(String name) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
                throw new IllegalArgumentException("not a single file name: " + name);
            }
            return path().resolve(name);
        }

        /** The subdirectory {@code name}, never through a symlink; null when it is missing or not a directory. */
        Dir subdirectory(String name) {
            try {
                return new Dir(sys.openat2(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, BENEATH));
            } catch (UncheckedIOException e) {
                int errno = errno(e);
                if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
                    return null;
                }
                throw e;
            }
        }

        @Override
        public void close() {
            sys.close(fd);
        }
    }

    /**
     * The directory a path of the container names (lexically cleaned, then every symlink resolved
     * inside the root); null when it is missing; a 400 when it is not a directory.
     */
    Dir directory(String path) {
        try {
            return new Dir(sys.openat2(root, relative(clean(path)), O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT));
        } catch (UncheckedIOException e) {
            int errno = errno(e);
            if (errno == ENOENT) {
                return null;
            }
            if (errno == ENOTDIR) {
                throw DockerApiException.badRequest("%s is not a directory in the container (or lies under a file)", path);
            }
            throw e;
        }
    }

    /** The directory of a cleaned path, made with its missing parents (0755) inside the root. */
    Dir directories(List<String> clean) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Dir d = directory(String.join("/", clean));
            if (d != null) {
                return d;
            }
            try (Dir parent = directories(clean.subList(0, clean.size() - 1))) {
                Files.createDirectory(parent.child(clean.getLast())); // mkdir follows no symlink in its last name
            } catch (FileAlreadyExistsException e) {
                // made meanwhile, or a symlink that leads nowhere in the root: look again
            }
        }
        throw DockerApiException.badRequest("cannot make the directory /%s in the container: it kept changing or is a symlink "
                + "that leads nowhere", String.join("/", clean));
    }

    /** Where a path of the container is: its parent directory held open and its last name ("" for the root). */
    record Place(Dir dir, String name) implements AutoCloseable {
        /** The file itself; to be used only with calls that do not follow a symlink in its last name. */
        Path file() {
            return name.isEmpty() ? dir.path() : dir.child(name);
        }

        @Override
        public void close() {
            dir.close();
        }
    }

    /**
     * The place of {@code path}: its parent resolved inside the root; the last name is not
     * followed unless {@code followLast} (then it is resolved too, and the place is the target's).
     * Null when the parent is missing.
     */
    Place place(String path, boolean followLast) throws IOException {
        List<String> clean = clean(path);
        for (int hops = 0; hops < 40; hops++) {
            if (clean.isEmpty()) {
                Dir d = directory("/");
                return new Place(d, "");
            }
            Dir parent = directory(String.join("/", clean.subList(0, clean.size() - 1)));
            if (parent == null) {
                return null;
            }
            String name = clean.getLast();
            Path p = parent.child(name);
            if (!followLast || !Files.isSymbolicLink(p)) {
                return new Place(parent, name);
            }
            String target = Files.readSymbolicLink(p).toString();
            parent.close();
            List<String> next = new ArrayList<>();
            if (!target.startsWith("/")) {
                next.addAll(clean.subList(0, clean.size() - 1));
            }
            next.add(target);
            clean = clean(String.join("/", next));
        }
        throw DockerApiException.badRequest("too many levels of symbolic links in %s", path);
    }

    /**
     * A path's components with "." and ".." applied lexically, as docker cp cleans paths before
     * it looks them up; ".." never climbs above the root.
     */
    static List<String> clean(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private static String relative(List<String> clean) {
        return clean.isEmpty() ? "." : String.join("/", clean);
    }

    static int errno(UncheckedIOException e) {
        return e.getCause() instanceof ErrnoException x ? x.errno() : -1;
    }

    @Override
    public void close() {
        sys.close(root);
    }
}
