package io.jcontainerd.ctr;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ctr's duration flags: config's GoDurations (tested there) behind picocli's converter. */
class GoDurationTest {
    @Test
    void convertsAndRefusesAsAPicocliConverter() {
        assertThat(new GoDuration().convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> new GoDuration().convert("10")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("\"10\"").hasMessageContaining("10s");
    }
}
