package io.jcontainerd.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's root directory: the nearest ancestor of the working directory holding bin/jcontainerd. */
public final class RepoRoot {
    private RepoRoot() {
    }

    public static Path find() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/jcontainerd"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a directory with bin/jcontainerd) above "
                + Path.of("").toAbsolutePath());
    }
}
