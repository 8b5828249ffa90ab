package io.jcontainerd.content.store;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Turns I/O failures into our error vocabulary, naming what was being done to which path. */
final class StoreIo {

    private StoreIo() {
    }

    static JcdException failed(String action, Path path, IOException e) {
        return JcdException.of(ErrorKind.UNKNOWN,
                String.format("content store: cannot %s %s: %s", action, path, e), e);
    }

    static JcdException failed(String action, Path path, UncheckedIOException e) {
        return failed(action, path, e.getCause());
    }
}
