package io.jcontainerd.supervisor.cri;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A container's stdout and stderr as kubelet reads them ({@code kubectl logs}): one line per
 * message, {@code <RFC3339Nano> <stream> <P|F> <message>\n}. A message longer than
 * {@code maxLine} bytes is split into parts tagged P, the last one F; a line ending in CR LF loses
 * both; what is left without a newline when a stream ends is written as F. Lines of the two
 * streams never interleave inside a line. As containerd's cri (pkg/cri/io/logger.go), whose
 * {@code max_container_log_line_size} default is 16 KiB.
 */
public final class CriLogWriter {
    public static final int DEFAULT_MAX_LINE = 16 * 1024;
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    public enum Stream {
        STDOUT("stdout"), STDERR("stderr");

        private final String tag;

        Stream(String tag) {
            this.tag = tag;
        }
    }

    private OutputStream out;
    private final Clock clock;
    private final int maxLine;
    private final ByteArrayOutputStream[] pending = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};

    public CriLogWriter(OutputStream out, Clock clock, int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be at least 1, got " + maxLine);
        }
        this.out = out;
        this.clock = clock;
        this.maxLine = maxLine;
    }

    /**
     * From now on lines go to {@code next} (log rotation: kubelet renamed the file and asks for a new
     * one); every line is whole in one file or the other. Returns the previous stream, flushed.
     */
    public synchronized OutputStream redirect(OutputStream next) {
        flush();
        OutputStream previous = out;
        out = next;
        return previous;
    }

    /** Output of {@code stream} as it came from the process (any chunking). */
    public synchronized void write(Stream stream, byte[] b, int off, int len) {
        ByteArrayOutputStream line = pending[stream.ordinal()];
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                line.write(b, start, i - start);
                emit(stream, line, true);
                start = i + 1;
            } else if (line.size() + (i + 1 - start) >= maxLine) {
                line.write(b, start, i + 1 - start);
                emitPartial(stream, line);
                start = i + 1;
            }
        }
        line.write(b, start, end - start);
    }

    /** The stream ended: a last line without newline is written, tagged F. */
    public synchronized void endOfStream(Stream stream) {
        ByteArrayOutputStream line = pending[stream.ordinal()];
        if (line.size() > 0) {
            emit(stream, line, true);
        }
        flush();
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the container log: " + e.getMessage(), e);
        }
    }

    private void emitPartial(Stream stream, ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        line.reset();
        // the bytes beyond maxLine (at most one) start the next part
        int n = Math.min(bytes.length, maxLine);
        writeLine(stream, "P", bytes, n);
        line.write(bytes, n, bytes.length - n);
    }

    private void emit(Stream stream, ByteArrayOutputStream line, boolean full) {
        byte[] bytes = line.toByteArray();
        line.reset();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        writeLine(stream, full ? "F" : "P", bytes, n);
    }

    private void writeLine(Stream stream, String tag, byte[] bytes, int n) {
        byte[] head = (timestamp(clock.instant()) + " " + stream.tag + " " + tag + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + n + 1];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bytes, 0, all, head.length, n);
        all[all.length - 1] = '\n';
        try {
            out.write(all); // one write per line: a reader never sees half a header
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the container log: " + e.getMessage(), e);
        }
    }

    /** Go's time.RFC3339Nano in UTC: nanoseconds with trailing zeros removed, none at all for a whole second. */
    static String timestamp(Instant t) {
        StringBuilder sb = new StringBuilder(SECONDS.format(t));
        int nanos = t.getNano();
        if (nanos != 0) {
            String digits = String.format("%09d", nanos);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(digits, 0, end);
        }
        return sb.append('Z').toString();
    }
}
