package io.jcontainerd.supervisor.tasks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The runc-style options a task runs with (containerd.runc.v1.Options): which OCI runtime binary
 * the shim drives. An empty or relative {@code binaryName} is looked up in the usual places.
 */
public record RuntimeOptions(String binaryName) {
    private static final Path[] SEARCH = {Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"),
            Path.of("/usr/local/sbin"), Path.of("/usr/local/bin")};

    /** The runtime binary to use: the options' binary if named, else {@code fallback}. */
    public Path resolve(Path fallback) {
        return named().orElse(fallback);
    }

    private Optional<Path> named() {
        if (binaryName == null || binaryName.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(binaryName);
        if (p.isAbsolute()) {
            return Optional.of(p);
        }
        for (Path dir : SEARCH) {
            if (Files.isExecutable(dir.resolve(binaryName))) {
                return Optional.of(dir.resolve(binaryName));
            }
        }
        return Optional.of(p);
    }
}
