package io.jcontainerd.content.store;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads and writes the small files that describe one ingest directory. */
final class IngestFiles {

    static final String DATA = "data";
    static final String REF = "ref";
    static final String TOTAL = "total";
    static final String EXPECTED = "expected";
    static final String STARTED_AT = "startedat";
    static final String UPDATED_AT = "updatedat";

    private IngestFiles() {
    }

    /** The status on disk, or empty if the directory is not (or no longer) a complete ingest. */
    static Optional<IngestStatus> read(Path dir) {
        try {
            String ref = Files.readString(dir.resolve(REF), StandardCharsets.UTF_8);
            long offset = Files.size(dir.resolve(DATA));
            long total = parseLong(readOr(dir.resolve(TOTAL), "0"));
            String exp = readOr(dir.resolve(EXPECTED), "");
            Digest expected = exp.isEmpty() ? null : Digest.parse(exp);
            Instant started = parseInstant(readOr(dir.resolve(STARTED_AT), ""));
            Instant updated = Files.getLastModifiedTime(dir.resolve(DATA)).toInstant();
            Instant updatedFile = parseInstant(readOr(dir.resolve(UPDATED_AT), ""));
            if (updatedFile.isAfter(updated)) updated = updatedFile;
            return Optional.of(new IngestStatus(ref, offset, total, expected, started, updated));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw StoreIo.failed("read ingest", dir, e);
        } catch (JcdException | NumberFormatException corrupt) {
            return Optional.empty();
        }
    }

    static void writeMeta(Path dir, String ref, long total, Digest expected, Instant startedAt) throws IOException {
        Files.writeString(dir.resolve(REF), ref, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(TOTAL), Long.toString(total));
        Files.writeString(dir.resolve(EXPECTED), expected == null ? "" : expected.toString());
        Files.writeString(dir.resolve(STARTED_AT), startedAt.toString());
        touchUpdated(dir);
    }

    static void touchUpdated(Path dir) throws IOException {
        Files.writeString(dir.resolve(UPDATED_AT), LocalContentStore.now().toString());
    }

    private static String readOr(Path p, String fallback) throws IOException {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return fallback;
        }
    }

    private static long parseLong(String s) {
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }

    private static Instant parseInstant(String s) {
        if (s.isEmpty()) return Instant.EPOCH;
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    static void removeDir(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // already removed
        } catch (IOException e) {
            throw StoreIo.failed("remove ingest", dir, e);
        }
    }
}
