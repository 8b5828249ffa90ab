package io.jcontainerd.supervisor.cri;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class CriLogWriterTest {
    static final Instant AT = Instant.parse("2024-01-02T03:04:05.123450000Z");
    final ByteArrayOutputStream file = new ByteArrayOutputStream();
    final CriLogWriter writer = new CriLogWriter(file, Clock.fixed(AT, ZoneOffset.UTC), 8);

    void out(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writer.write(CriLogWriter.Stream.STDOUT, b, 0, b.length);
    }

    void err(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writer.write(CriLogWriter.Stream.STDERR, b, 0, b.length);
    }

    String log() {
        return file.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachLineIsWrittenWithTimestampStreamAndFullTag() {
        out("one\ntwo\n");
        assertThat(log()).isEqualTo("2024-01-02T03:04:05.12345Z stdout F one\n2024-01-02T03:04:05.12345Z stdout F two\n");
    }

    @Test
    void aLineArrivingInPiecesIsOneLine() {
        out("he");
        out("ll");
        assertThat(log()).isEmpty();
        out("o\n");
        assertThat(log()).isEqualTo("2024-01-02T03:04:05.12345Z stdout F hello\n");
    }

    @Test
    void aLineLongerThanTheMaximumIsSplitIntoPartialsEndingWithFull() {
        out("abcdefghijklmnopqrs\n");
        assertThat(log()).isEqualTo("""
                2024-01-02T03:04:05.12345Z stdout P abcdefgh
                2024-01-02T03:04:05.12345Z stdout P ijklmnop
                2024-01-02T03:04:05.12345Z stdout F qrs
                """);
    }

    @Test
    void carriageReturnBeforeNewlineIsDroppedAsGoReadLineDoes() {
        out("dos\r\n");
        assertThat(log()).isEqualTo("2024-01-02T03:04:05.12345Z stdout F dos\n");
    }

    @Test
    void whatIsLeftWithoutNewlineWhenTheStreamEndsIsWrittenFull() {
        out("no newline");
        writer.endOfStream(CriLogWriter.Stream.STDOUT);
        assertThat(log()).isEqualTo("2024-01-02T03:04:05.12345Z stdout P no newli\n2024-01-02T03:04:05.12345Z stdout F ne\n");
    }

    @Test
    void stderrIsTaggedAndItsPendingLineDoesNotMixWithStdout() {
        err("warn");
        out("ok\n");
        err("ing\n");
        assertThat(log()).isEqualTo("2024-01-02T03:04:05.12345Z stdout F ok\n2024-01-02T03:04:05.12345Z stderr F warning\n");
    }

    @Test
    void anEmptyLineIsKept() {
        out("\n");
        assertThat(log()).isEqualTo("2024-01-02T03:04:05.12345Z stdout F \n");
    }

    @Test
    void timestampsAreGoRfc3339NanoInUtc() {
        assertThat(CriLogWriter.timestamp(Instant.parse("2024-01-02T03:04:05Z"))).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(CriLogWriter.timestamp(Instant.parse("2024-01-02T03:04:05.000000001Z"))).isEqualTo("2024-01-02T03:04:05.000000001Z");
        assertThat(CriLogWriter.timestamp(Instant.parse("2024-01-02T03:04:05.5Z"))).isEqualTo("2024-01-02T03:04:05.5Z");
    }
}
