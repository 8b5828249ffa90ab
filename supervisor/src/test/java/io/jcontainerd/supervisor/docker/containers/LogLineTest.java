package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.supervisor.docker.http.StreamFrames;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineTheLogWritesReadsBackAsTheBytesThatWereWritten() throws Exception {
        List<String> outputs = List.of("hello\n", "", "tab\tquote\"back\\slash/\n", "ctl \u0001\u001f\b\f\r\n",
                "é ü € 中文 \u2028 \uD83D\uDE00 emoji\n", "\uFFFD replaced", "x".repeat(LogFile.MAX_LINE));
        Instant t = Instant.parse("2026-12-06T14:27:37.231129569Z");
        for (String text : outputs) {
            for (int stream : new int[]{StreamFrames.STDOUT, StreamFrames.STDERR}) {
                byte[] line = bytes(LogFile.line(stream, bytes(text), t).stripTrailing());
                LogFile.Entry e = LogLine.parse(line, 0, line.length);
                assertThat(e).as(text).isNotNull();
                assertThat(new String(e.text(), StandardCharsets.UTF_8)).isEqualTo(text);
                assertThat(e.stream()).isEqualTo(stream);
                assertThat(e.time()).isEqualTo(t);
                // the same as Jackson reads it
                assertThat(e.text()).isEqualTo(bytes(JSON.readTree(line).path("log").asText()));
            }
        }
    }

    @Test
    void aLineWithinALargerBufferIsReadInPlace() {
        byte[] buf = bytes("xx{\"log\":\"in place\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-06T14:27:37Z\"}yy");
        LogFile.Entry e = LogLine.parse(buf, 2, buf.length - 4);
        assertThat(new String(e.text(), StandardCharsets.UTF_8)).isEqualTo("in place\n");
        assertThat(e.time()).isEqualTo(Instant.parse("2026-12-06T14:27:37Z"));
    }

    @Test
    void otherWritersLayoutsAreReadToo() {
        assertThat(text("{\"stream\":\"stderr\",\"log\":\"reordered\\n\",\"time\":\"2026-12-06T14:27:37.5Z\"}")).isEqualTo("reordered\n");
        assertThat(entry("{\"stream\":\"stderr\",\"log\":\"x\",\"time\":\"2026-12-06T14:27:37.5Z\"}").stream()).isEqualTo(StreamFrames.STDERR);
        assertThat(text("{\"log\":\"attrs\\n\",\"stream\":\"stdout\",\"attrs\":{\"a\":\"b\"},\"time\":\"2026-12-06T14:27:37Z\"}"))
                .isEqualTo("attrs\n");
        assertThat(text("{\"log\":\"go escapes \\u003c\\u0026\\u003e \\ud83d\\ude00\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-06T14:27:37Z\"}"))
                .isEqualTo("go escapes <&> \uD83D\uDE00\n");
        assertThat(text("{\"log\":\"offset\",\"stream\":\"stdout\",\"time\":\"2026-12-06T15:27:37+01:00\"}")).isEqualTo("offset");
    }

    @Test
    void damagedLinesAreNotEntries() {
        assertThat(entry("not json")).isNull();
        assertThat(entry("")).isNull();
        assertThat(entry("{\"log\":\"cut")).isNull();
        assertThat(entry("{\"log\":\"raw\ttab\",\"stream\":\"stdout\",\"time\":\"2026-12-06T14:27:37Z\"}")).isNull();
        assertThat(entry("{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-02-30T14:27:37Z\"}")).as("no 30 February").isNull();
        assertThat(entry("{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"yesterday\"}")).isNull();
        assertThat(entry("{\"log\":\"x\",\"stream\":\"stdout\"}")).isNull();
    }

    private static LogFile.Entry entry(String line) {
        byte[] b = bytes(line);
        return LogLine.parse(b, 0, b.length);
    }

    private static String text(String line) {
        return new String(entry(line).text(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
