package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.ArrayList;
import java.util.List;

/** Lexical cleaning of archive paths, before anything touches the filesystem. */
final class EntryPaths {
    private EntryPaths() {
    }

    /**
     * The components of an archive path: "." and empty ones dropped, ".." applied. A leading "/"
     * means the layer's root (as containerd treats it). A ".." that would climb above the root is
     * refused, not clamped: such an entry was made to escape.
     */
    static List<String> clean(String entry, String path, String what) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (out.isEmpty()) {
                    throw JcdException.invalidArgument("layer entry %s: %s %s climbs out of the layer root with '..'; refused",
                            entry, what, path);
                }
                out.removeLast();
                continue;
            }
            out.add(c);
        }
        return out;
    }
}
