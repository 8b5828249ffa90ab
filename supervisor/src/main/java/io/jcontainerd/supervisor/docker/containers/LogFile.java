package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.StreamFrames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * A container's log on disk as dockerd's json-file driver keeps it: one JSON object a line,
 * {@code {"log":"hi\n","stream":"stdout","time":"2026-...Z"}}. Output is cut into lines (a line
 * longer than 16 KiB is written in parts, as dockerd does); what has no newline yet waits for
 * more or for the end of the run. Readers can follow: they wait for the next append.
 */
public final class LogFile {
    static final int MAX_LINE = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path path;
    private final ByteArrayOutputStream[] partial = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    private long appended;

    public LogFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** Adds output of {@code stream}; complete lines are written at once. */
    public synchronized void append(int stream, byte[] data) {
        ByteArrayOutputStream buf = partial[stream];
        StringBuilder out = new StringBuilder();
        Instant now = Instant.now();
        for (byte b : data) {
            buf.write(b);
            if (b == '\n' || buf.size() >= MAX_LINE) {
                out.append(line(stream, buf.toByteArray(), now));
                buf.reset();
            }
        }
        write(out);
    }

    /** The run ended: what waits for a newline is written as it is. */
    public synchronized void flush() {
        StringBuilder out = new StringBuilder();
        for (int s = 1; s <= 2; s++) {
            if (partial[s].size() > 0) {
                out.append(line(s, partial[s].toByteArray(), Instant.now()));
                partial[s].reset();
            }
        }
        write(out);
        notifyAll();
    }

    private void write(StringBuilder out) {
        if (out.isEmpty()) {
            return;
        }
        try {
            Files.writeString(path, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write container log " + path + ": " + e.getMessage(), e);
        }
        appended++;
        notifyAll();
    }

    static String line(int stream, byte[] text, Instant time) {
        ObjectNode n = JSON.createObjectNode();
        n.put("log", new String(text, StandardCharsets.UTF_8));
        n.put("stream", stream == StreamFrames.STDERR ? "stderr" : "stdout");
        n.put("time", time.toString());
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to {@code millis} for something to be appended after {@code seen} appends; returns the count now. */
    public synchronized long awaitAppend(long seen, long millis) {
        if (appended == seen) {
            try {
                wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return appended;
    }

    public synchronized long appended() {
        return appended;
    }

    /** One entry as read back. */
    public record Entry(int stream, byte[] text, Instant time) {
    }

    /** What a reader wants: streams, time window (null = open), the last {@code tail} entries (-1 = all). */
    public record Query(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow) {
        boolean wants(Entry e) {
            return (e.stream == StreamFrames.STDOUT ? stdout : stderr)
                    && (since == null || e.time.isAfter(since)) && (until == null || !e.time.isAfter(until));
        }
    }

    /** Receives entries; returns false to stop reading (the client went away). */
    public interface Reader {
        boolean accept(Entry e);
    }

    /**
     * Reads the log: the tail first, then (following) what is appended until {@code running}
     * turns false and everything written has been read.
     */
    public void read(Query q, BooleanSupplier running, Reader reader) throws IOException {
        Deque<Entry> last = new ArrayDeque<>();
        boolean[] stop = {false};
        long pos = lines(0, l -> {
            Entry e = parse(l);
            if (e == null || !q.wants(e)) {
                return true;
            }
            if (q.tail < 0) {
                return reader.accept(e) || (stop[0] = true) && false;
            }
            if (q.tail > 0) {
                last.addLast(e);
                if (last.size() > q.tail) {
                    last.removeFirst();
                }
            }
            return true;
        });
        if (stop[0]) {
            return;
        }
        for (Entry e : last) {
            if (!reader.accept(e)) {
                return;
            }
        }
        if (!q.follow) {
            return;
        }
        long seen = appended();
        while (true) {
            boolean wasRunning = running.getAsBoolean();
            pos = lines(pos, l -> {
                Entry e = parse(l);
                return e == null || !q.wants(e) || reader.accept(e) || (stop[0] = true) && false;
            });
            if (stop[0] || !wasRunning || (q.until != null && Instant.now().isAfter(q.until))) {
                return;
            }
            seen = awaitAppend(seen, 1000);
            if (!reader.accept(null)) {
                return; // the probe: the client went away
            }
        }
    }

    /** Hands each complete line from byte {@code pos} on to {@code line} (until it says stop); returns where it stopped. */
    private long lines(long pos, java.util.function.Predicate<byte[]> line) throws IOException {
        if (!Files.exists(path)) {
            return pos;
        }
        try (var ch = java.nio.channels.FileChannel.open(path, StandardOpenOption.READ);
             var in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(ch.position(pos)), 64 * 1024)) {
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    pos += cur.size() + 1;
                    if (!line.test(cur.toByteArray())) {
                        return pos;
                    }
                    cur.reset();
                } else {
                    cur.write(b);
                }
            }
            return pos; // an incomplete last line is read again next time
        }
    }

    /** One line of the file; null if it is not an entry (damaged lines are skipped, as dockerd does). */
    static Entry parse(byte[] line) {
        try {
            JsonNode n = JSON.readTree(line);
            int stream = "stderr".equals(n.path("stream").asText()) ? StreamFrames.STDERR : StreamFrames.STDOUT;
            return new Entry(stream, n.path("log").asText("").getBytes(StandardCharsets.UTF_8), Instant.parse(n.path("time").asText()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
