package io.jcontainerd.snapshot;

import java.util.List;

/**
 * A description of one mount, shaped as containerd.types.Mount: nothing is mounted until a
 * {@link io.jcontainerd.snapshot.mount.Mounter} is asked to.
 *
 * @param type    "bind" or "overlay"
 * @param source  the bind source directory, or "overlay"
 * @param target  a path relative to the mount point, "" for the mount point itself
 * @param options flags and filesystem data, e.g. "ro", "rbind", "lowerdir=/a:/b"
 */
public record Mount(String type, String source, String target, List<String> options) {
    public Mount {
        target = target == null ? "" : target;
        options = List.copyOf(options);
    }

    public static Mount bind(String source, boolean readOnly) {
        return new Mount("bind", source, "", List.of(readOnly ? "ro" : "rw", "rbind"));
    }

    public boolean readOnly() {
        return options.contains("ro") || (type.equals("overlay") && options.stream().noneMatch(o -> o.startsWith("upperdir=")));
    }
}
