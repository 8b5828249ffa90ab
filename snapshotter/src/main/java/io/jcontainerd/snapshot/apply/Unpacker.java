package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.ErrnoException;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes tar entries into one directory: the per-entry half of {@link LayerApplier}. Files,
 * directories and links are made with NIO; only what NIO cannot do (lchown, full modes, nanosecond
 * times without following links, xattrs, mknod) goes through {@link Syscalls}.
 */
final class Unpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String WHITEOUT_META = ".wh..wh.";

    private final Path root;
    private final WhiteoutMode whiteouts;
    private final Syscalls sys;
    private final RootResolver resolver;
    private final boolean root_;
    /** Paths (relative to the root) this layer created: an opaque whiteout must keep them. */
    private final Set<String> unpacked = new HashSet<>();
    /** Directory times are set last: entries written into a directory change its mtime. */
    private final List<Object[]> dirTimes = new ArrayList<>();
    private final byte[] buffer = new byte[256 * 1024];
    private String current = "";

    Unpacker(Path root, List<Path> lowers, WhiteoutMode whiteouts, Syscalls sys) {
        this.root = root;
        this.whiteouts = whiteouts;
        this.sys = sys;
        this.resolver = new RootResolver(root, lowers, sys);
        this.root_ = sys.effectiveUid() == 0;
    }

    Path root() {
        return root;
    }

    String currentEntry() {
        return current;
    }

    void unpack(TarReader tar) throws IOException {
        for (TarEntry e = tar.next(); e != null; e = tar.next()) {
            current = e.name();
            apply(e, tar);
        }
        current = "";
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Object[] d = dirTimes.get(i);
            setTimes((Path) d[0], (TarEntry) d[1]);
        }
    }

    private void apply(TarEntry e, TarReader tar) throws IOException {
        List<String> components = EntryPaths.clean(e.name(), e.name(), "path");
        if (components.isEmpty()) {
            if (e.type() == TarEntry.Type.DIR) { // "./": the layer's root directory itself
                metadata(root, e);
                dirTimes.add(new Object[] {root, e});
            }
            return;
        }
        String base = components.getLast();
        if (base.startsWith(WHITEOUT)) {
            whiteout(e, components.subList(0, components.size() - 1), base);
            return;
        }
        Path path = resolver.leaf(e.name(), components, true);
        BasicFileAttributes existing = RootResolver.lstat(path);
        if (existing != null && !(existing.isDirectory() && e.type() == TarEntry.Type.DIR)) {
            // replaced, never written through: a file over a symlink must not follow it
            FileTrees.deleteRecursively(path);
            resolver.invalidate();
            existing = null;
        }
        switch (e.type()) {
            case DIR -> {
                if (existing == null) {
                    Files.createDirectory(path);
                }
            }
            case FILE -> writeFile(path, tar);
            case SYMLINK -> {
                if (e.linkName().isEmpty()) {
                    throw JcdException.invalidArgument("layer entry %s is a symlink without a target", e.name());
                }
                Files.createSymbolicLink(path, path.getFileSystem().getPath(e.linkName()));
            }
            case HARDLINK -> {
                hardlink(e, path);
                unpacked.add(relative(path));
                return; // the inode already has its owner, mode and times
            }
            case CHAR, BLOCK -> {
                requireRoot(e, "a device node");
                int type = e.type() == TarEntry.Type.CHAR ? Syscalls.S_IFCHR : Syscalls.S_IFBLK;
                sys.mknod(path.toString(), type | (e.mode() & 0777), Syscalls.makedev(e.devMajor(), e.devMinor()));
            }
            case FIFO -> sys.mknod(path.toString(), Syscalls.S_IFIFO | (e.mode() & 0777), 0);
        }
        metadata(path, e);
        if (e.type() == TarEntry.Type.DIR) {
            dirTimes.add(new Object[] {path, e});
        } else {
            setTimes(path, e);
        }
        unpacked.add(relative(path));
    }

    private void writeFile(Path path, TarReader tar) throws IOException {
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer wrap = ByteBuffer.wrap(buffer);
            int n;
            while ((n = tar.read(buffer, 0, buffer.length)) > 0) {
                wrap.clear().limit(n);
                while (wrap.hasRemaining()) {
                    out.write(wrap);
                }
            }
        }
    }

    private void hardlink(TarEntry e, Path path) throws IOException {
        List<String> target = EntryPaths.clean(e.name(), e.linkName(), "hardlink target");
        Path existing = target.isEmpty() ? null : resolver.leaf(e.name(), target, false);
        BasicFileAttributes a = existing == null ? null : RootResolver.lstat(existing);
        if (a == null) {
            throw JcdException.invalidArgument("layer entry %s is a hardlink to %s, which is not in the layer; refused",
                    e.name(), e.linkName());
        }
        if (a.isDirectory()) {
            throw JcdException.invalidArgument("layer entry %s is a hardlink to the directory %s; refused", e.name(), e.linkName());
        }
        Files.createLink(path, existing);
    }

    private void whiteout(TarEntry e, List<String> parentComponents, String base) throws IOException {
        boolean overlay = whiteouts == WhiteoutMode.OVERLAY;
        Path dir = resolver.directory(e.name(), parentComponents, overlay);
        if (base.equals(OPAQUE)) {
            if (dir == null) {
                return; // DELETE: nothing below to hide
            }
            if (overlay) {
                requireRoot(e, "an opaque directory (trusted.overlay.opaque)");
                sys.lsetxattr(dir.toString(), "trusted.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
            } else {
                List<Path> doomed = new ArrayList<>();
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                    for (Path child : children) {
                        if (!unpacked.contains(relative(child))) {
                            doomed.add(child);
                        }
                    }
                }
                for (Path child : doomed) {
                    FileTrees.deleteRecursively(child);
                }
                resolver.invalidate();
            }
            return;
        }
        if (base.startsWith(WHITEOUT_META)) {
            return; // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): never applied, as in containerd
        }
        String name = base.substring(WHITEOUT.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
            throw JcdException.invalidArgument("layer entry %s whites out %s, which is not a name in its directory; refused",
                    e.name(), name);
        }
        if (dir == null) {
            return;
        }
        Path victim = dir.resolve(name);
        FileTrees.deleteRecursively(victim);
        resolver.invalidate();
        if (overlay) {
            requireRoot(e, "an overlay whiteout (a 0/0 character device)");
            sys.mknod(victim.toString(), Syscalls.S_IFCHR, 0);
            sys.lchown(victim.toString(), e.uid(), e.gid());
            unpacked.add(relative(victim));
        }
    }

    private void metadata(Path path, TarEntry e) {
        String p = path.toString();
        sys.lchown(p, e.uid(), e.gid());
        if (e.type() != TarEntry.Type.SYMLINK) {
            sys.chmod(p, e.mode()); // after lchown, which clears setuid and setgid
        }
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            try {
                sys.lsetxattr(p, x.getKey(), x.getValue()); // after lchown, which clears security.capability
            } catch (UncheckedIOException failed) {
                int errno = failed.getCause() instanceof ErrnoException ex ? ex.errno() : -1;
                // as containerd: an xattr the filesystem or our privileges do not allow is skipped
                if (errno != ErrnoException.EOPNOTSUPP && errno != ErrnoException.EPERM) {
                    throw failed;
                }
            }
        }
    }

    private void setTimes(Path path, TarEntry e) {
        sys.utimesNoFollow(path.toString(), e.mtimeSeconds(), e.mtimeNanos(), e.mtimeSeconds(), e.mtimeNanos());
    }

    private void requireRoot(TarEntry e, String what) {
        if (!root_) {
            throw JcdException.failedPrecondition("layer entry %s needs %s, which only root can create; run jcontainerd as root",
                    e.name(), what);
        }
    }

    private String relative(Path p) {
        return root.relativize(p).toString();
    }
}
