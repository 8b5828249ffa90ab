package io.jcontainerd.supervisor.daemon;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where jcontainerd is installed: the directory holding bin/ (set by bin/jcontainerd as jcd.home). */
final class Installation {
    private Installation() {
    }

    static Path home() {
        String prop = System.getProperty("jcd.home");
        if (prop != null && !prop.isEmpty()) {
            return Path.of(prop);
        }
        // Started without the launcher: the jar is <home>/supervisor/target/jcontainerd.jar.
        try {
            Path jar = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("bin/jcontainerd-shim"))) {
                    return p;
                }
            }
        } catch (Exception ignored) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }
}
