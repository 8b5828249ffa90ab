package io.jcontainerd.supervisor.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        String cpu = "( \\[cpu \\d+, queued \\d+\\])?";
        assertThat(t.toString()).matches("launcher and JVM start \\d+" + cpu + ", config \\d+" + cpu
                + ", metadata \\(RocksDB\\) \\d+" + cpu + " \\(ms(; \\[on a CPU, waiting for one\\] by the main thread)?\\)");
        assertThat(t.totalMillis()).isNotNegative();
    }

    @Test
    void saysHowLongTheThreadRanAndWaitedForACpuInEachStepWhereLinuxTellsIt(@TempDir Path dir) throws IOException {
        Path schedstat = dir.resolve("schedstat");
        Files.writeString(schedstat, "100000000 250000000 40\n");
        StartTimeline t = StartTimeline.since(schedstat);
        Files.writeString(schedstat, "130000000 1250000000 52\n");
        t.mark("config");
        assertThat(t.toString()).contains("launcher and JVM start ").contains(" [cpu 100, queued 250], config ")
                .contains(" [cpu 30, queued 1000] (ms; [on a CPU, waiting for one] by the main thread)");
    }

    @Test
    void leavesTheCpuFiguresOutWhenTheStatisticsAreMissingOrNotNumbers(@TempDir Path dir) throws IOException {
        assertThat(StartTimeline.schedstat(dir.resolve("absent"))).isNull();
        Path garbage = dir.resolve("garbage");
        Files.writeString(garbage, "lots of words");
        assertThat(StartTimeline.schedstat(garbage)).isNull();
        Files.writeString(garbage, "1 2 3 ".repeat(100));
        assertThat(StartTimeline.schedstat(garbage)).isNull();
        StartTimeline t = StartTimeline.since(dir.resolve("absent"));
        t.mark("config");
        assertThat(t.toString()).matches("launcher and JVM start -?\\d+, config \\d+ \\(ms\\)");
    }
}
