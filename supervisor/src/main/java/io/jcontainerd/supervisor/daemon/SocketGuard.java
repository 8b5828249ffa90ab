package io.jcontainerd.supervisor.daemon;

import io.jcontainerd.config.UnixSockets;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Makes a socket path free for us to listen on: a socket some live process still answers on is
 * refused (never stolen), a stale socket file is removed, anything that is not a socket is left
 * alone and refused.
 */
public final class SocketGuard {
    private SocketGuard() {
    }

    /** Returns true if a stale socket was removed. */
    public static boolean claim(Path path) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
        if (!attrs.isOther()) {
            throw JcdException.failedPrecondition(
                    "%s exists and is not a socket: refusing to replace it; remove it or choose another --address", path);
        }
        if (UnixSockets.answers(path)) {
            throw JcdException.alreadyExists(
                    "%s is already served by a running daemon: stop it first or start this one with another --address", path);
        }
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot remove stale socket %s: %s", path, e.getMessage());
        }
        return true;
    }
}
