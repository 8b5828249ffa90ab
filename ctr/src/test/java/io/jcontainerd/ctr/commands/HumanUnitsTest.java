package io.jcontainerd.ctr.commands;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** ctr prints content sizes with go-units (ages: config's HumanDurationTest), and pull times as Go durations; so does jctr. */
class HumanUnitsTest {
    @Test
    void contentSizesAreDecimalWithFourSignificantDigits() {
        assertThat(ContentCommand.humanSize(427)).isEqualTo("427B");
        assertThat(ContentCommand.humanSize(1000)).isEqualTo("1kB");
        assertThat(ContentCommand.humanSize(1_089_410)).isEqualTo("1.089MB");
        assertThat(ContentCommand.humanSize(117_778_725)).isEqualTo("117.8MB");
    }

    @Test
    void pullTimesPrintAsGoDurations() {
        assertThat(ImagesCommand.goDuration(Duration.ofNanos(587_820_000))).isEqualTo("587.820ms");
        assertThat(ImagesCommand.goDuration(Duration.ofMillis(4732))).isEqualTo("4.732s");
    }
}
