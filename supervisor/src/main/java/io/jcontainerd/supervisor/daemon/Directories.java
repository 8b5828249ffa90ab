package io.jcontainerd.supervisor.daemon;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Creates the daemon's directories and proves they are writable before anything else starts. */
public final class Directories {
    private Directories() {
    }

    public static void prepareWritable(String what, Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-probe", "");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            throw JcdException.failedPrecondition("%s directory %s is not writable (%s): fix its permissions or choose another with --%s",
                    what, dir, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), what);
        }
    }
}
