package io.jcontainerd.ctr.commands;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** ctr prints content sizes and ages with go-units, and pull times as Go durations; so does jctr. */
class HumanUnitsTest {
    @Test
    void contentSizesAreDecimalWithFourSignificantDigits() {
        assertThat(ContentCommand.humanSize(427)).isEqualTo("427B");
        assertThat(ContentCommand.humanSize(1000)).isEqualTo("1kB");
        assertThat(ContentCommand.humanSize(1_089_410)).isEqualTo("1.089MB");
        assertThat(ContentCommand.humanSize(117_778_725)).isEqualTo("117.8MB");
    }

    @Test
    void agesReadLikeDockerAndCtr() {
        assertThat(ContentCommand.humanDuration(Duration.ofMillis(300))).isEqualTo("Less than a second");
        assertThat(ContentCommand.humanDuration(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(ContentCommand.humanDuration(Duration.ofSeconds(42))).isEqualTo("42 seconds");
        assertThat(ContentCommand.humanDuration(Duration.ofSeconds(90))).isEqualTo("About a minute");
        assertThat(ContentCommand.humanDuration(Duration.ofMinutes(59))).isEqualTo("59 minutes");
        assertThat(ContentCommand.humanDuration(Duration.ofMinutes(61))).isEqualTo("About an hour");
        assertThat(ContentCommand.humanDuration(Duration.ofHours(30))).isEqualTo("30 hours");
        assertThat(ContentCommand.humanDuration(Duration.ofDays(3))).isEqualTo("3 days");
    }

    @Test
    void pullTimesPrintAsGoDurations() {
        assertThat(ImagesCommand.goDuration(Duration.ofNanos(587_820_000))).isEqualTo("587.820ms");
        assertThat(ImagesCommand.goDuration(Duration.ofMillis(4732))).isEqualTo("4.732s");
    }
}
