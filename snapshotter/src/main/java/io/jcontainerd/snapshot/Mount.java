package io.jcontainerd.snapshot;

import java.util.List;
import java.util.Optional;

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

    /** The value of a {@code name=value} option, e.g. an overlay's "upperdir". */
    public Optional<String> option(String name) {
        String prefix = name + "=";
        return options.stream().filter(o -> o.startsWith(prefix)).map(o -> o.substring(prefix.length())).findFirst();
    }

    public boolean readOnly() {
        return options.contains("ro") || (type.equals("overlay") && options.stream().noneMatch(o -> o.startsWith("upperdir=")));
    }
}
