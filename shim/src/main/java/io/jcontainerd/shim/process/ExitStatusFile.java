package io.jcontainerd.shim.process;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <bundle>/exit.status}: the container init's exit, kept on disk so that a supervisor that
 * was down when it happened (or outlived the shim) still learns it:
 * {@code {"pid":123,"status":137,"exited_at":"2026-11-23T10:00:00.123456789Z"}}.
 */
public final class ExitStatusFile {
    public static final String NAME = "exit.status";
    private static final Pattern FORMAT = Pattern.compile(
            "\\{\\s*\"pid\"\\s*:\\s*(\\d+)\\s*,\\s*\"status\"\\s*:\\s*(\\d+)\\s*,\\s*\"exited_at\"\\s*:\\s*\"([^\"]+)\"\\s*}\\s*");

    private ExitStatusFile() {
    }

    /** Writes atomically (temporary file, then rename) so a reader never sees half a record. */
    public static void write(Path bundle, ExitStatus exit) {
        Path file = bundle.resolve(NAME);
        String json = "{\"pid\":" + exit.pid() + ",\"status\":" + exit.status() + ",\"exited_at\":\"" + exit.exitedAt() + "\"}\n";
        try {
            io.jcontainerd.config.FileModes.writePrivateAtomically(file, json);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot record the exit status in %s: %s", file, e.getMessage());
        }
    }

    public static Optional<ExitStatus> read(Path bundle) {
        Path file = bundle.resolve(NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot read %s: %s", file, e.getMessage());
        }
        Matcher m = FORMAT.matcher(text);
        try {
            if (m.matches()) {
                return Optional.of(new ExitStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Instant.parse(m.group(3))));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // Reported below.
        }
        throw JcdException.failedPrecondition("%s is not an exit record (%s): remove it if the task is gone", file, text.strip());
    }
}
