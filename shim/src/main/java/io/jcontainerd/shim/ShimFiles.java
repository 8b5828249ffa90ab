package io.jcontainerd.shim;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a shim leaves in its bundle directory for the supervisor to find it again:
 * {@code shim.address} (the absolute path of its socket), {@code shim.pid}, and
 * {@code exit.status} (see {@link io.jcontainerd.shim.process.ExitStatusFile}).
 */
public final class ShimFiles {
    public static final String ADDRESS = "shim.address";
    public static final String PID = "shim.pid";

    private ShimFiles() {
    }

    static void write(Path bundle, Path socket, long pid) {
        writeAtomically(bundle.resolve(PID), Long.toString(pid));
        // The address last: once it exists, the pid file does too.
        writeAtomically(bundle.resolve(ADDRESS), socket.toString());
    }

    static void remove(Path bundle) {
        try {
            Files.deleteIfExists(bundle.resolve(ADDRESS));
            Files.deleteIfExists(bundle.resolve(PID));
        } catch (IOException ignored) {
            // The supervisor removes the bundle with the task.
        }
    }

    /** The socket of the shim serving {@code bundle}. */
    public static Path address(Path bundle) {
        return Path.of(read(bundle.resolve(ADDRESS)));
    }

    /** The pid of the shim serving {@code bundle}. */
    public static int pid(Path bundle) {
        String text = read(bundle.resolve(PID));
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw JcdException.failedPrecondition("%s holds \"%s\", not a pid", bundle.resolve(PID), text);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw JcdException.notFound("%s does not exist: no shim serves %s (it never started or has exited)", file, file.getParent());
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot read %s: %s", file, e.getMessage());
        }
    }

    private static void writeAtomically(Path file, String text) {
        try {
            io.jcontainerd.config.FileModes.writePrivateAtomically(file, text + "\n");
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot write %s: %s", file, e.getMessage());
        }
    }
}
