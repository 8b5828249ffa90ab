package io.jcontainerd.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoDurationsTest {
    @Test
    void readsWhatGosParseDurationReads() {
        assertThat(GoDurations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDurations.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(GoDurations.parse("4h0m0s")).isEqualTo(Duration.ofHours(4));
        assertThat(GoDurations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDurations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDurations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDurations.parse("2us")).isEqualTo(Duration.ofNanos(2000));
    }

    @Test
    void refusesTextWithoutUnitsSignsOrBoundsWithAnExample() {
        assertThatThrownBy(() -> GoDurations.parse("10")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"10\"").hasMessageContaining("10s");
        assertThatThrownBy(() -> GoDurations.parse("-1s")).hasMessageContaining("-1s");
        assertThatThrownBy(() -> GoDurations.parse("")).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> GoDurations.parse("1".repeat(65) + "s")).hasMessageContaining("longer than 64 characters");
        assertThatThrownBy(() -> GoDurations.parse("999999999999h")).hasMessageContaining("longer than 100 years");
    }
}
