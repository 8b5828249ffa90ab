package io.jcontainerd.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HumanDurationTest {
    @Test
    void readsAsGoUnitsHumanDurationDoesFromSecondsToYears() {
        assertThat(HumanDuration.of(Duration.ofMillis(300))).isEqualTo("Less than a second");
        assertThat(HumanDuration.of(Duration.ofSeconds(-5))).isEqualTo("Less than a second");
        assertThat(HumanDuration.of(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(HumanDuration.of(Duration.ofSeconds(42))).isEqualTo("42 seconds");
        assertThat(HumanDuration.of(Duration.ofSeconds(90))).isEqualTo("About a minute");
        assertThat(HumanDuration.of(Duration.ofMinutes(59))).isEqualTo("59 minutes");
        assertThat(HumanDuration.of(Duration.ofMinutes(61))).isEqualTo("About an hour");
        assertThat(HumanDuration.of(Duration.ofHours(30))).isEqualTo("30 hours");
        assertThat(HumanDuration.of(Duration.ofDays(3))).isEqualTo("3 days");
        assertThat(HumanDuration.of(Duration.ofDays(20))).isEqualTo("2 weeks");
        assertThat(HumanDuration.of(Duration.ofDays(90))).isEqualTo("3 months");
        assertThat(HumanDuration.of(Duration.ofDays(800))).isEqualTo("2 years");
    }
}
