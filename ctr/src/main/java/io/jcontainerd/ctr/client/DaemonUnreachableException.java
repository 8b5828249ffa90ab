package io.jcontainerd.ctr.client;

import java.nio.file.Path;

/** The daemon's socket cannot be reached; the message says which socket and how to start the daemon. */
public final class DaemonUnreachableException extends RuntimeException {
    public DaemonUnreachableException(Path socket, String why) {
        super("cannot connect to jcontainerd at " + socket + ": " + why
                + "; start the daemon with `bin/jcontainerd --address " + socket + "` or pass --address");
    }
}
