package io.jcontainerd.network.netns;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Network namespaces pinned as bind mounts in one directory (the daemon's {@code <state>/netns}),
 * as `ip netns add` pins them in /run/netns. The directory is a shared mount point, so a removal
 * reaches mount namespaces that copied the pin.
 */
public final class NetNamespaces {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}");

    private final Path dir;
    private final NsSyscalls sys;
    private volatile boolean shared;

    public NetNamespaces(Path dir, NsSyscalls sys) {
        this.dir = dir;
        this.sys = sys;
    }

    public Path dir() {
        return dir;
    }

    /** The path namespace {@code name} is (or would be) pinned at. */
    public Path path(String name) {
        if (!NAME.matcher(name).matches()) {
            throw JcdException.invalidArgument("network namespace name \"%s\" must be letters, digits, '.', '_', '-'", name);
        }
        return dir.resolve(name);
    }

    /** Creates and pins namespace {@code name}; AlreadyExists if its pin exists. */
    public Path create(String name) {
        Path p = path(name);
        ensureDir();
        try {
            Files.createFile(p);
        } catch (FileAlreadyExistsException e) {
            throw JcdException.alreadyExists("network namespace %s already exists: remove it first", p);
        } catch (IOException e) {
            throw JcdException.unavailable("cannot create %s: %s", p, e.getMessage());
        }
        try {
            sys.createPinnedNetns(p);
        } catch (RuntimeException e) {
            deleteQuietly(p);
            throw e;
        }
        return p;
    }

    /** Unpins and deletes {@code path}; a path that is already gone is fine. */
    public void remove(Path path) {
        if (!path.startsWith(dir)) {
            throw JcdException.invalidArgument("%s is not a network namespace of ours (under %s)", path, dir);
        }
        if (!Files.exists(path)) {
            return;
        }
        sys.detach(path);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw JcdException.unavailable("cannot delete network namespace pin %s: %s", path, e.getMessage());
        }
    }

    /** Every pinned namespace file in the directory. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw JcdException.unavailable("cannot list %s: %s", dir, e.getMessage());
        }
    }

    /**
     * Undoes the directory's own bind mount when no namespace is pinned in it any more (a daemon
     * keeps it, as /run/netns stays; tests release theirs). True when it was released.
     */
    public synchronized boolean releaseDir() {
        if (!list().isEmpty()) {
            return false;
        }
        while (Files.isDirectory(dir) && sys.detach(dir)) {
            // a directory bind-mounted on itself twice (two daemons raced) needs two detaches
        }
        shared = false;
        return true;
    }

    private void ensureDir() {
        if (shared) {
            return;
        }
        synchronized (this) {
            if (shared) {
                return;
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw JcdException.unavailable("cannot create %s: %s", dir, e.getMessage());
            }
            sys.makeSharedMountPoint(dir);
            shared = true;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort after a failed create; the create's own error is what the caller needs
        }
    }
}
