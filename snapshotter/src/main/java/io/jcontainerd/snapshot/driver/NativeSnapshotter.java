package io.jcontainerd.snapshot.driver;

import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.fs.TreeCopier;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The native driver (containerd's "native"), for filesystems without overlayfs: every snapshot
 * is a full copy of its parent in {@code <root>/snapshots/<id>/fs} (owners, modes, xattrs,
 * hardlinks and special files preserved), mounted with a bind (read-only for views).
 */
public final class NativeSnapshotter extends LocalSnapshotter {

    private final TreeCopier copier;

    /** Opens (or creates) the driver at {@code root}, finding the snapshots an earlier instance left there. */
    public NativeSnapshotter(Path root) {
        this(root, Syscalls.linux());
    }

    public NativeSnapshotter(Path root, Syscalls sys) {
        super(root, sys);
        this.copier = new TreeCopier(sys);
    }

    @Override
    public String driverName() {
        return "native";
    }

    @Override
    protected void createLayout(Path dir, Kind kind, List<Long> parentIds) throws IOException {
        Path fs = Files.createDirectory(dir.resolve("fs"));
        if (!parentIds.isEmpty()) {
            copier.copy(fsDir(parentIds.getFirst()), fs);
        }
    }

    @Override
    protected List<Mount> mountsOf(long id, Kind kind, List<Long> parentIds) {
        return List.of(Mount.bind(fsDir(id).toString(), kind == Kind.VIEW));
    }
}
