package io.jcontainerd.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Where a secret was written: every regular file under a directory (a daemon's root, state and log) holding it. */
public final class FilesHolding {
    private FilesHolding() {
    }

    /** Regular files under {@code root} of less than 64 MiB whose bytes hold {@code secret}; files that vanish meanwhile are skipped. */
    public static List<Path> secret(Path root, String secret) throws IOException {
        List<Path> holding = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                try {
                    if (a.isRegularFile() && a.size() < (64 << 20)
                            && new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(secret)) {
                        holding.add(f);
                    }
                } catch (NoSuchFileException gone) {
                    // removed by the collector
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return holding;
    }
}
