package io.jcontainerd.snapshot.apply.tar;

import java.io.IOException;

/** The archive is not a valid tar stream (bad checksum, truncated entry, unsupported extension). */
public final class TarFormatException extends IOException {
    public TarFormatException(String message) {
        super(message);
    }
}
