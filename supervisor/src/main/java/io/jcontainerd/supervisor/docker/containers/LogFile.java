package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.StreamFrames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /** One entry as read back; its time is parsed only when asked for (filters, timestamps). */
    public record Entry(int stream, byte[] text, String timeText) {
        public Instant time() {
            return Instant.parse(timeText);
        }
    }

    /** What a reader wants: streams, time window (null = open), the last {@code tail} entries (-1 = all). */
    public record Query(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow) {
        boolean wants(Entry e) {
            if (!(e.stream == StreamFrames.STDOUT ? stdout : stderr)) {
                return false;
            }
            if (since == null && until == null) {
                return true;
            }
            Instant t = e.time();
            return (since == null || t.isAfter(since)) && (until == null || !t.isAfter(until));
        }
    }

    /**
     * Receives entries; returns false to stop reading (the client went away). {@code null} is the
     * probe, sent when the reader has caught up with the file (before a follower waits for more):
     * a reader that batches its output sends what it holds then.
     */
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
        long pos = lines(0, (b, off, len) -> {
            Entry e = LogLine.parse(b, off, len);
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
            pos = lines(pos, (b, off, len) -> {
                Entry e = LogLine.parse(b, off, len);
                return e == null || !q.wants(e) || reader.accept(e) || (stop[0] = true) && false;
            });
            if (stop[0] || !wasRunning || (q.until != null && Instant.now().isAfter(q.until))) {
                return;
            }
            if (!reader.accept(null)) {
                return; // the probe: the client went away
            }
            seen = awaitAppend(seen, 1000);
        }
    }

    /** A complete line of the file, without its newline, in {@code b[off, off + len)}; false to stop. */
    private interface LineSink {
        boolean line(byte[] b, int off, int len);
    }

    private static final int READ_BUFFER = 256 * 1024;
    /** A longer line is not one of ours (at most 16 KiB of output, escaped): skipped as damaged. */
    private static final int MAX_FILE_LINE = 8 << 20;

    /**
     * Hands each complete line from byte {@code pos} on to {@code sink} (until it says stop);
     * returns where it stopped. Reads in large blocks and cuts lines in place.
     */
    private long lines(long pos, LineSink sink) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return pos;
        }
        try (ch) {
            ch.position(pos);
            byte[] buf = new byte[READ_BUFFER];
            int start = 0;
            int end = 0;
            boolean skipping = false; // inside a line longer than MAX_FILE_LINE
            while (true) {
                if (end == buf.length) {
                    if (start > 0) {
                        System.arraycopy(buf, start, buf, 0, end - start);
                        end -= start;
                        start = 0;
                    } else if (buf.length < MAX_FILE_LINE) {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    } else {
                        pos += end; // drop what is held of the overlong line, and the rest of it
                        start = 0;
                        end = 0;
                        skipping = true;
                    }
                }
                int n = ch.read(ByteBuffer.wrap(buf, end, buf.length - end));
                if (n < 0) {
                    return pos; // an incomplete last line is read again next time
                }
                int scan = end;
                end += n;
                for (int i = scan; i < end; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    int len = i - start;
                    pos += len + 1;
                    if (skipping) {
                        skipping = false;
                    } else if (!sink.line(buf, start, len)) {
                        return pos;
                    }
                    start = i + 1;
                }
                if (start == end) {
                    start = 0;
                    end = 0;
                }
            }
        }
    }
}
