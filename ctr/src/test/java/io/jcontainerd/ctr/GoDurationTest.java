package io.jcontainerd.ctr;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoDurationTest {
    @Test
    void readsGoStyleDurations() {
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void refusesGarbageWithAnExample() {
        assertThatThrownBy(() -> GoDuration.parse("10")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("\"10\"").hasMessageContaining("10s");
        assertThatThrownBy(() -> GoDuration.parse("5x")).hasMessageContaining("5x");
    }
}
