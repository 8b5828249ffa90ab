package io.jcontainerd.supervisor.daemon;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The start's timeline: when bin/jcontainerd began ($EPOCHREALTIME), and the steps in order. */
class StartTimelineTest {
    @Test
    void readsBashsEpochRealTimeWithAPointOrACommaAndRefusesAnythingElse() {
        assertThat(StartTimeline.launched("1765040000.123456")).contains(Instant.ofEpochSecond(1765040000L, 123_456_000));
        assertThat(StartTimeline.launched("1765040000,5")).contains(Instant.ofEpochSecond(1765040000L, 500_000_000));
        assertThat(StartTimeline.launched("1765040000")).contains(Instant.ofEpochSecond(1765040000L));
        assertThat(StartTimeline.launched(null)).isEqualTo(Optional.empty());
        assertThat(StartTimeline.launched("")).isEqualTo(Optional.empty());
        assertThat(StartTimeline.launched("yesterday")).isEqualTo(Optional.empty());
        assertThat(StartTimeline.launched("1".repeat(40))).isEqualTo(Optional.empty());
    }

    @Test
    void namesEachStepInTheOrderItEnded() {
        StartTimeline t = StartTimeline.sinceProcessStart();
        t.mark("config");
        t.mark("metadata (RocksDB)");
        assertThat(t.toString()).matches("launcher and JVM start \\d+, config \\d+, metadata \\(RocksDB\\) \\d+ \\(ms\\)");
        assertThat(t.totalMillis()).isNotNegative();
    }
}
