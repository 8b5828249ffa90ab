package io.jcontainerd.runtime.linux;

import io.jcontainerd.runtime.JruncException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalsTest {
    @Test
    void acceptsNamesWithAndWithoutSigAndNumbers() {
        assertThat(Signals.parse("KILL")).isEqualTo(9);
        assertThat(Signals.parse("SIGTERM")).isEqualTo(15);
        assertThat(Signals.parse("term")).isEqualTo(15);
        assertThat(Signals.parse("10")).isEqualTo(10);
        assertThat(Signals.parse("0")).as("runc: only checks that the process exists").isZero();
        assertThat(Signals.parse("RTMIN+2")).isEqualTo(36);
    }

    @Test
    void refusesUnknownSignalsNamingThem() {
        assertThatThrownBy(() -> Signals.parse("FOO")).isInstanceOf(JruncException.class).hasMessageContaining("unknown signal FOO");
    }
}
