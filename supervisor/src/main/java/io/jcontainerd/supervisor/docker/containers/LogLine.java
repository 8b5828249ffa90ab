package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.supervisor.docker.http.StreamFrames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One line of a json-file log read back. The lines {@link LogFile} writes,
 * {@code {"log":"...","stream":"stdout|stderr","time":"..."}} in that order, are decoded in
 * place (a 100 MiB log is 1.3 million of them); any other shape (fields reordered, extra
 * fields, as other writers may leave) goes through Jackson, and a line that is not JSON is
 * skipped, as dockerd skips it.
 */
final class LogLine {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HEAD = ascii("{\"log\":\"");
    private static final byte[] STDOUT = ascii(",\"stream\":\"stdout\",\"time\":\"");
    private static final byte[] STDERR = ascii(",\"stream\":\"stderr\",\"time\":\"");

    private LogLine() {
    }

    /** The entry in {@code b[off, off + len)}; null if the line is not an entry. */
    static LogFile.Entry parse(byte[] b, int off, int len) {
        LogFile.Entry e = fast(b, off, len);
        return e != null ? e : slow(b, off, len);
    }

    /** Our own layout, or null to let Jackson decide. */
    private static LogFile.Entry fast(byte[] b, int off, int len) {
        int end = off + len;
        if (!startsWith(b, off, end, HEAD)) {
            return null;
        }
        int i = off + HEAD.length;
        byte[] text = new byte[Math.min(len, 64)];
        int n = 0;
        while (true) {
            if (i >= end) {
                return null;
            }
            byte c = b[i];
            if (c == '"') {
                break;
            }
            if (n + 4 > text.length) {
                text = Arrays.copyOf(text, Math.max(text.length * 2, n + 4));
            }
            if (c != '\\') {
                if ((c & 0xff) < 0x20) {
                    return null; // JSON never holds a raw control character
                }
                text[n++] = c;
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return null;
            }
            byte x = b[i + 1];
            i += 2;
            switch (x) {
                case '"', '\\', '/' -> text[n++] = x;
                case 'n' -> text[n++] = '\n';
                case 't' -> text[n++] = '\t';
                case 'r' -> text[n++] = '\r';
                case 'b' -> text[n++] = '\b';
                case 'f' -> text[n++] = '\f';
                case 'u' -> {
                    int cp = hex4(b, i, end);
                    if (cp < 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                        return null; // surrogates (pairs or lone) are Jackson's to decode
                    }
                    i += 4;
                    n = utf8(cp, text, n);
                }
                default -> {
                    return null;
                }
            }
        }
        i++; // the closing quote
        int stream;
        if (startsWith(b, i, end, STDOUT)) {
            stream = StreamFrames.STDOUT;
        } else if (startsWith(b, i, end, STDERR)) {
            stream = StreamFrames.STDERR;
        } else {
            return null;
        }
        i += STDOUT.length;
        int t = i;
        while (i < end && b[i] != '"' && b[i] != '\\') {
            i++;
        }
        if (end - i != 2 || b[i] != '"' || b[i + 1] != '}' || !isInstant(b, t, i)) {
            return null;
        }
        return new LogFile.Entry(stream, n == text.length ? text : Arrays.copyOf(text, n),
                new String(b, t, i - t, StandardCharsets.ISO_8859_1));
    }

    private static LogFile.Entry slow(byte[] b, int off, int len) {
        try {
            JsonNode n = JSON.readTree(b, off, len);
            if (n == null || !n.isObject()) {
                return null;
            }
            int stream = "stderr".equals(n.path("stream").asText()) ? StreamFrames.STDERR : StreamFrames.STDOUT;
            String time = n.path("time").asText();
            java.time.Instant.parse(time); // a line without a valid time is damaged
            return new LogFile.Entry(stream, n.path("log").asText("").getBytes(StandardCharsets.UTF_8), time);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether {@code b[from, to)} is a time as {@code Instant.toString()} writes it,
     * {@code 2026-12-06T14:27:50.123456789Z} (0 to 9 fraction digits), and a valid one; other
     * spellings go to Jackson's path, where {@code Instant.parse} judges them.
     */
    static boolean isInstant(byte[] b, int from, int to) {
        int len = to - from;
        if (len < 20 || len > 30 || len == 21 || b[to - 1] != 'Z' || b[from + 4] != '-' || b[from + 7] != '-'
                || b[from + 10] != 'T' || b[from + 13] != ':' || b[from + 16] != ':') {
            return false;
        }
        int year = digits(b, from, 4);
        int month = digits(b, from + 5, 2);
        int day = digits(b, from + 8, 2);
        int hour = digits(b, from + 11, 2);
        int minute = digits(b, from + 14, 2);
        int second = digits(b, from + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.Month.of(month).length(java.time.Year.isLeap(year))) {
            return false;
        }
        if (len > 20) {
            return b[from + 19] == '.' && digits(b, from + 20, len - 21) >= 0;
        }
        return true;
    }

    /** The decimal number in {@code count} digits at {@code at}; -1 if one is not a digit. */
    private static int digits(byte[] b, int at, int count) {
        int v = 0;
        for (int k = 0; k < count; k++) {
            int d = b[at + k] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static boolean startsWith(byte[] b, int off, int end, byte[] prefix) {
        return end - off >= prefix.length && Arrays.equals(b, off, off + prefix.length, prefix, 0, prefix.length);
    }

    private static int hex4(byte[] b, int i, int end) {
        if (end - i < 4) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(b[i + k], 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** Writes a BMP code point (no surrogate) as UTF-8; {@code out} has room for 3 bytes. */
    private static int utf8(int cp, byte[] out, int n) {
        if (cp < 0x80) {
            out[n++] = (byte) cp;
        } else if (cp < 0x800) {
            out[n++] = (byte) (0xC0 | cp >> 6);
            out[n++] = (byte) (0x80 | cp & 0x3F);
        } else {
            out[n++] = (byte) (0xE0 | cp >> 12);
            out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[n++] = (byte) (0x80 | cp & 0x3F);
        }
        return n;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
