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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
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
    private static final int UMASK = readUmask();

    private final Path root;
    private final WhiteoutMode whiteouts;
    private final Syscalls sys;
    private final RootResolver resolver;
    private final boolean asRoot;
    /** Paths (relative to the root) this layer created: an opaque whiteout must keep them. */
    private final Set<String> unpacked = new HashSet<>();
    /** Directory times are set last: entries written into a directory change its mtime. */
    private final List<DirTime> dirTimes = new ArrayList<>();

    private record DirTime(Path dir, TarEntry entry) {
    }
    /** The file-write buffer, borrowed from the pool for this layer and given back by {@link #close}. */
    private final ChunkPool pool;
    private byte[] buffer;
    private String current = "";

    Unpacker(Path root, List<Path> lowers, WhiteoutMode whiteouts, Syscalls sys, ChunkPool pool) {
        this.pool = pool;
        this.buffer = pool.take();
        this.root = root;
        this.whiteouts = whiteouts;
        this.sys = sys;
        this.resolver = new RootResolver(root, lowers, sys);
        this.asRoot = sys.effectiveUid() == 0;
    }

    Path root() {
        return root;
    }

    String currentEntry() {
        return current;
    }

    /** Gives the write buffer back to the pool; the unpacker writes nothing after this. */
    void close() {
        if (buffer != null) {
            pool.give(buffer);
            buffer = null;
        }
    }

    void unpack(TarReader tar) throws IOException {
        for (TarEntry e = tar.next(); e != null; e = tar.next()) {
            current = e.name();
            apply(e, tar);
        }
        current = "";
        for (DirTime d : dirTimes.reversed()) {
            setTimes(d.dir(), d.entry());
        }
    }

    private void apply(TarEntry e, TarReader tar) throws IOException {
        List<String> components = EntryPaths.clean(e.name(), e.name(), "path");
        if (components.isEmpty()) {
            if (e.type() == TarEntry.Type.DIR) { // "./": the layer's root directory itself
                metadata(root, e, false);
                dirTimes.add(new DirTime(root, e));
            }
            return;
        }
        String base = components.getLast();
        if (base.startsWith(WHITEOUT)) {
            whiteout(e, components.subList(0, components.size() - 1), base);
            return;
        }
        Path path = resolver.leaf(e.name(), components, true);
        if (e.type() == TarEntry.Type.HARDLINK) {
            createReplacing(e, path, () -> hardlink(e, path));
            remember(path);
            return; // the inode already has its owner, mode and times
        }
        boolean modeSet = switch (e.type()) {
            case DIR -> {
                createDirectory(e, path);
                yield false;
            }
            case FILE -> createReplacing(e, path, () -> writeFile(path, e, tar));
            case SYMLINK -> {
                if (e.linkName().isEmpty()) {
                    throw JcdException.invalidArgument("layer entry %s is a symlink without a target", e.name());
                }
                createReplacing(e, path, () -> Files.createSymbolicLink(path, path.getFileSystem().getPath(e.linkName())));
                yield true; // a symlink has no mode of its own
            }
            case CHAR, BLOCK -> {
                requireRoot(e, "a device node");
                int type = e.type() == TarEntry.Type.CHAR ? Syscalls.S_IFCHR : Syscalls.S_IFBLK;
                createReplacing(e, path, () -> sys.mknod(path.toString(), type | (e.mode() & 0777),
                        Syscalls.makedev(e.devMajor(), e.devMinor())));
                yield false;
            }
            case FIFO -> {
                createReplacing(e, path, () -> sys.mknod(path.toString(), Syscalls.S_IFIFO | (e.mode() & 0777), 0));
                yield false;
            }
            case HARDLINK -> throw new IllegalStateException("handled above");
        };
        metadata(path, e, modeSet);
        if (e.type() == TarEntry.Type.DIR) {
            dirTimes.add(new DirTime(path, e));
        } else {
            setTimes(path, e);
        }
        remember(path);
    }

    @FunctionalInterface
    private interface Creation {
        void create() throws IOException;
    }

    /**
     * Creates the entry; if something is already there, removes it first and creates again.
     * Trying first saves an lstat for the common case, and creation never follows a symlink
     * (O_EXCL, symlink(2), link(2), mknod(2) all fail on an existing name instead).
     *
     * @return whether the creation already gave the entry its final mode
     */
    private boolean createReplacing(TarEntry e, Path path, Creation creation) throws IOException {
        try {
            creation.create();
        } catch (FileAlreadyExistsException exists) {
            replace(path, creation);
        } catch (UncheckedIOException failed) {
            if (!(failed.getCause() instanceof ErrnoException x) || x.errno() != ErrnoException.EEXIST) {
                throw failed;
            }
            replace(path, creation);
        }
        return e.type() == TarEntry.Type.FILE && (e.mode() & 07777) == (e.mode() & 0777 & ~UMASK);
    }

    private void replace(Path path, Creation creation) throws IOException {
        FileTrees.deleteRecursively(path);
        resolver.invalidate();
        creation.create();
    }

    private void createDirectory(TarEntry e, Path path) throws IOException {
        try {
            Files.createDirectory(path);
        } catch (FileAlreadyExistsException exists) {
            BasicFileAttributes a = RootResolver.lstat(path);
            if (a == null || !a.isDirectory()) { // a directory over a directory merges; anything else is replaced
                replace(path, () -> Files.createDirectory(path));
            }
        }
    }

    private void remember(Path path) {
        if (whiteouts == WhiteoutMode.DELETE) {
            unpacked.add(relative(path));
        }
    }

    private void writeFile(Path path, TarEntry e, TarReader tar) throws IOException {
        // created with its mode (less the umask), which usually spares a chmod
        try (FileChannel out = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(permissions(e.mode())))) {
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
            remember(victim);
        }
    }

    private void metadata(Path path, TarEntry e, boolean modeSet) {
        String p = path.toString();
        sys.lchown(p, e.uid(), e.gid());
        if (!modeSet) {
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
        if (!asRoot) {
            throw JcdException.failedPrecondition("layer entry %s needs %s, which only root can create; run jcontainerd as root",
                    e.name(), what);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }

    /** The process umask, read once: files created with mode m get m &amp; ~umask. */
    private static int readUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring(6).trim(), 8);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: assume the worst, every file then gets an explicit chmod
        }
        return 0777;
    }

    private String relative(Path p) {
        return root.relativize(p).toString();
    }
}
