package io.jcontainerd.snapshot.driver;

import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The overlayfs driver (containerd's "overlayfs"): each snapshot owns
 * {@code <root>/snapshots/<id>/fs} (its layer: the upper directory while active) and, while
 * active, {@code work} (overlayfs' workdir). Parents are never copied: they are stacked as
 * lower directories.
 *
 * <p>Mounts: no parent → a bind of fs; an active snapshot with parents → overlay with
 * workdir, upperdir and lowerdir (nearest parent first); a view of one layer → a read-only bind
 * of that layer; a view of several → overlay with lowerdir only (read-only by construction).
 */
public final class OverlaySnapshotter extends LocalSnapshotter {

    private final boolean indexOff;

    /** Opens (or creates) the driver at {@code root}, finding the snapshots an earlier instance left there. */
    public OverlaySnapshotter(Path root) {
        this(root, Syscalls.linux());
    }

    public OverlaySnapshotter(Path root, Syscalls sys) {
        super(root, sys);
        // as containerd: with the index feature on, a lower layer shared by two mounts is refused
        indexOff = Files.exists(Path.of("/sys/module/overlay/parameters/index"));
    }

    @Override
    public String driverName() {
        return "overlayfs";
    }

    @Override
    protected void createLayout(Path dir, Kind kind, List<Long> parentIds) throws IOException {
        Path fs = Files.createDirectory(dir.resolve("fs"));
        if (kind == Kind.ACTIVE) {
            Files.createDirectory(dir.resolve("work"));
        }
        if (!parentIds.isEmpty()) {
            // the upper directory's own owner and mode show as the root of the mounted stack
            Map<String, Object> a = Files.readAttributes(fsDir(parentIds.getFirst()), "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            sys.lchown(fs.toString(), (Integer) a.get("uid"), (Integer) a.get("gid"));
            sys.chmod(fs.toString(), (Integer) a.get("mode"));
        }
    }

    @Override
    protected List<Mount> mountsOf(long id, Kind kind, List<Long> parentIds) {
        if (parentIds.isEmpty()) {
            return List.of(Mount.bind(fsDir(id).toString(), kind == Kind.VIEW));
        }
        if (kind == Kind.VIEW && parentIds.size() == 1) {
            return List.of(Mount.bind(fsDir(parentIds.getFirst()).toString(), true));
        }
        List<String> options = new ArrayList<>();
        if (indexOff) {
            options.add("index=off");
        }
        if (kind == Kind.ACTIVE) {
            options.add("workdir=" + snapshotDir(id).resolve("work"));
            options.add("upperdir=" + fsDir(id));
        }
        options.add("lowerdir=" + parentIds.stream().map(p -> fsDir(p).toString()).collect(Collectors.joining(":")));
        return List.of(new Mount("overlay", "overlay", "", options));
    }
}
