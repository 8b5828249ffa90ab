package io.jcontainerd.snapshot.diff;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.Compression;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the changes between two filesystem trees as an OCI layer (containerd's Diff service
 * Compare, used to commit a container as an image or export it).
 *
 * <p>Two ways: for an overlay snapshot the upper directory already is the change set (whiteout
 * devices become {@code .wh.} entries, opaque directories get {@code .wh..wh..opq}); otherwise
 * both trees are walked side by side, comparing type, mode, owner, size, mtime, capability and,
 * when the times cannot tell, content.
 */
public final class Differ {
    private final Mounter mounter;
    private final Path scratch;
    private final Syscalls sys;

    /** @param scratch where temporary read-only mount points are made when trees must be mounted */
    public Differ(Mounter mounter, Path scratch) {
        this(mounter, scratch, Syscalls.linux());
    }

    public Differ(Mounter mounter, Path scratch, Syscalls sys) {
        this.mounter = mounter;
        this.scratch = scratch;
        this.sys = sys;
    }

    /**
     * Writes the layer that turns the {@code lower} mounts into the {@code upper} mounts to
     * {@code out}, compressed as asked (GZIP, ZSTD is not offered for writing, NONE).
     */
    public DiffResult compare(List<Mount> lower, List<Mount> upper, Compression compression, OutputStream out) {
        try {
            HashingOutputStream blob = new HashingOutputStream(out);
            OutputStream compressed = switch (compression) {
                case GZIP, DETECT -> new GZIPOutputStream(blob, 64 * 1024);
                case NONE -> blob;
                case ZSTD -> throw JcdException.notImplemented("writing zstd layers is not supported; ask for gzip or none");
            };
            HashingOutputStream tarStream = new HashingOutputStream(compressed);
            OutputStream buffered = new BufferedOutputStream(tarStream, 256 * 1024);
            writeChanges(lower, upper, buffered);
            buffered.flush();
            compressed.close();
            String mediaType = compression == Compression.NONE ? "application/vnd.oci.image.layer.v1.tar"
                    : "application/vnd.oci.image.layer.v1.tar+gzip";
            return new DiffResult(blob.digest(), blob.count(), tarStream.digest(), mediaType);
        } catch (IOException e) {
            throw JcdException.of(ErrorKind.UNKNOWN, "cannot write the diff of " + upper + " against " + lower + ": " + e, e);
        }
    }

    private void writeChanges(List<Mount> lower, List<Mount> upper, OutputStream tar) throws IOException {
        Path upperDir = overlayUpperOver(upper, lowerDirs(lower));
        if (upperDir != null) {
            writeOverlayUpper(upperDir, tar);
            return;
        }
        withReadOnly(upper, "upper", upperRoot -> {
            if (lower.isEmpty()) {
                writeChanges(null, upperRoot, tar);
            } else {
                withReadOnly(lower, "lower", lowerRoot -> writeChanges(lowerRoot, upperRoot, tar));
            }
        });
    }

    /** The tar stream (uncompressed) of the changes from {@code lower} (null: nothing) to {@code upper}. */
    public void writeChanges(Path lower, Path upper, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        ChangeWriter changes = new ChangeWriter(tar, sys);
        walkBoth("", lower, upper, changes);
        tar.close();
    }

    /** The tar stream (uncompressed) of an overlay upper directory, whiteouts converted to OCI form. */
    public void writeOverlayUpper(Path upperDir, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        ChangeWriter changes = new ChangeWriter(tar, sys);
        walkUpper("", upperDir, changes);
        tar.close();
    }

    private void walkUpper(String rel, Path dir, ChangeWriter changes) throws IOException {
        for (String name : names(dir)) {
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            Path child = dir.resolve(name);
            ChangeWriter.Stat s = ChangeWriter.Stat.of(child);
            if (s.isWhiteoutDevice()) {
                changes.whiteout(childRel);
                continue;
            }
            changes.add(childRel, child, s);
            if (s.isDirectory()) {
                if (isOpaque(child)) {
                    changes.opaque(childRel);
                }
                walkUpper(childRel, child, changes);
            }
        }
    }

    private void walkBoth(String rel, Path lowerDir, Path upperDir, ChangeWriter changes) throws IOException {
        TreeSet<String> all = new TreeSet<>(names(upperDir));
        List<String> lowerNames = lowerDir == null ? List.of() : names(lowerDir);
        all.addAll(lowerNames);
        for (String name : all) {
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            Path u = upperDir.resolve(name);
            Path l = lowerDir == null ? null : lowerDir.resolve(name);
            ChangeWriter.Stat us = statOrNull(u);
            ChangeWriter.Stat ls = l == null ? null : statOrNull(l);
            if (us == null) {
                changes.whiteout(childRel);
            } else if (ls == null) {
                changes.add(childRel, u, us);
                if (us.isDirectory()) {
                    walkBoth(childRel, null, u, changes);
                }
            } else if (us.isDirectory() && ls.isDirectory()) {
                if (metadataDiffers(us, ls) || !Arrays.equals(capabilityOf(u, us), capabilityOf(l, ls))) {
                    changes.add(childRel, u, us);
                }
                walkBoth(childRel, l, u, changes);
            } else if (us.isDirectory()) {
                changes.add(childRel, u, us);
                walkBoth(childRel, null, u, changes);
            } else if (changed(u, us, l, ls)) {
                changes.add(childRel, u, us);
            }
        }
    }

    private boolean changed(Path u, ChangeWriter.Stat us, Path l, ChangeWriter.Stat ls) throws IOException {
        if (us.format() != ls.format() || metadataDiffers(us, ls) || us.rdev() != ls.rdev()) {
            return true;
        }
        if (us.format() == 0120000) {
            return !Files.readSymbolicLink(u).equals(Files.readSymbolicLink(l));
        }
        if (!us.isRegular()) {
            return false;
        }
        if (us.size() != ls.size() || !us.mtime().equals(ls.mtime())
                || !Arrays.equals(capabilityOf(u, us), capabilityOf(l, ls))) {
            return true;
        }
        // equal whole-second times are what a tar round trip leaves: only the bytes can tell
        if (us.mtime().toInstant().getNano() == 0) {
            return !sameContent(u, l);
        }
        return false;
    }

    private static boolean metadataDiffers(ChangeWriter.Stat a, ChangeWriter.Stat b) {
        // a directory's mtime is not compared: its changed children are in the layer anyway
        return a.mode() != b.mode() || a.uid() != b.uid() || a.gid() != b.gid();
    }

    private byte[] capabilityOf(Path p, ChangeWriter.Stat s) {
        return ChangeWriter.capability(sys, p, s).getOrDefault(ChangeWriter.CAPABILITY, new byte[0]);
    }

    private static boolean sameContent(Path a, Path b) throws IOException {
        try (InputStream x = Files.newInputStream(a); InputStream y = Files.newInputStream(b)) {
            byte[] bx = new byte[64 * 1024];
            byte[] by = new byte[64 * 1024];
            while (true) {
                int nx = x.readNBytes(bx, 0, bx.length);
                int ny = y.readNBytes(by, 0, by.length);
                if (nx != ny || !Arrays.equals(bx, 0, nx, by, 0, ny)) {
                    return false;
                }
                if (nx < bx.length) {
                    return true;
                }
            }
        }
    }

    private boolean isOpaque(Path dir) {
        try {
            if (!sys.llistxattr(dir.toString()).contains("trusted.overlay.opaque")) {
                return false;
            }
            byte[] v = sys.lgetxattr(dir.toString(), "trusted.overlay.opaque");
            return v.length == 1 && v[0] == 'y';
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static ChangeWriter.Stat statOrNull(Path p) throws IOException {
        try {
            return ChangeWriter.Stat.of(p);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            children.forEach(c -> out.add(c.getFileName().toString()));
        }
        out.sort(null);
        return out;
    }

    /** The directories a set of mounts stacks, top first: a bind's source or an overlay's lowerdir list. */
    private static List<String> lowerDirs(List<Mount> lower) {
        if (lower.isEmpty()) {
            return List.of();
        }
        if (lower.size() != 1) {
            return null;
        }
        Mount m = lower.getFirst();
        if (m.type().equals("bind")) {
            return List.of(m.source());
        }
        if (m.type().equals("overlay") && m.option("upperdir").isEmpty() && m.option("lowerdir").isPresent()) {
            return List.of(m.option("lowerdir").get().split(":"));
        }
        return null;
    }

    /** The upper directory of {@code upper} when it is one overlay mount stacked exactly on {@code lowerDirs}. */
    private static Path overlayUpperOver(List<Mount> upper, List<String> lowerDirs) {
        if (lowerDirs == null || upper.size() != 1 || !upper.getFirst().type().equals("overlay")) {
            return null;
        }
        Mount m = upper.getFirst();
        String upperDir = m.option("upperdir").orElse(null);
        String lowers = m.option("lowerdir").orElse(null);
        if (upperDir == null || lowers == null || !List.of(lowers.split(":")).equals(lowerDirs)) {
            return null;
        }
        return Path.of(upperDir);
    }

    private interface TreeUse {
        void accept(Path root) throws IOException;
    }

    /** Mounts read-only on a temporary directory for the duration of {@code use}. */
    private void withReadOnly(List<Mount> mounts, String what, TreeUse use) throws IOException {
        if (mounts.size() == 1 && mounts.getFirst().type().equals("bind") && mounts.getFirst().target().isEmpty()) {
            use.accept(Path.of(mounts.getFirst().source())); // a plain directory: no need to mount it
            return;
        }
        Path target = Files.createTempDirectory(Files.createDirectories(scratch), "diff-" + what + "-");
        try {
            mounter.mountAll(readOnly(mounts), target);
            try {
                use.accept(target);
            } finally {
                mounter.unmountAll(target);
            }
        } finally {
            Files.deleteIfExists(target); // never recursive: it may still be mounted if unmounting failed
        }
    }

    /**
     * An active overlay's upper directory cannot be mounted a second time; read-only, it can be
     * stacked as the top lower directory instead, where its whiteouts still hide what they hide.
     */
    private static List<Mount> readOnly(List<Mount> mounts) {
        List<Mount> out = new ArrayList<>();
        for (Mount m : mounts) {
            if (m.type().equals("overlay") && m.option("upperdir").isPresent()) {
                List<String> options = new ArrayList<>();
                String lowers = m.option("lowerdir").map(l -> ":" + l).orElse("");
                options.add("lowerdir=" + m.option("upperdir").get() + lowers);
                out.add(new Mount("overlay", m.source(), m.target(), options));
            } else if (m.type().equals("bind")) {
                List<String> options = new ArrayList<>(m.options());
                options.remove("rw");
                options.add("ro");
                out.add(new Mount(m.type(), m.source(), m.target(), options));
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
