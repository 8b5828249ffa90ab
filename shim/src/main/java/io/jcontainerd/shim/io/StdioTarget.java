package io.jcontainerd.shim.io;

import io.jcontainerd.config.errdefs.JcdException;

import java.nio.file.Path;

/** Where one stdio stream of a process goes, parsed from the path or URI the client sent (containerd's forms). */
public sealed interface StdioTarget {

    /** Not connected: /dev/null. */
    record None() implements StdioTarget {
    }

    /** A FIFO the client created (a plain path or {@code fifo://}). */
    record Fifo(Path path) implements StdioTarget {
    }

    /** A file appended to ({@code file://}). */
    record File(Path path) implements StdioTarget {
    }

    static StdioTarget parse(String stream, String value) {
        if (value == null || value.isEmpty()) {
            return new None();
        }
        if (value.startsWith("fifo://")) {
            return new Fifo(absolute(stream, value, value.substring("fifo://".length())));
        }
        if (value.startsWith("file://")) {
            return new File(absolute(stream, value, value.substring("file://".length())));
        }
        if (value.startsWith("binary://")) {
            throw JcdException.notImplemented("%s %s: logging binaries (binary://) are not supported by jcontainerd-shim: "
                    + "use a FIFO path or file:// instead", stream, value);
        }
        if (value.contains("://")) {
            throw JcdException.invalidArgument("%s %s: unknown scheme; use a FIFO path, fifo:// or file://", stream, value);
        }
        return new Fifo(absolute(stream, value, value));
    }

    private static Path absolute(String stream, String value, String path) {
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            throw JcdException.invalidArgument("%s %s: the path must be absolute", stream, value);
        }
        return p;
    }
}
