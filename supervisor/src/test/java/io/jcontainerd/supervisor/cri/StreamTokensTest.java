package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamTokensTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void aTokenIsTakenOnceAndIsUrlSafe() {
        StreamTokens<String> t = new StreamTokens<>(clock);
        String token = t.put("exec a");

        assertThat(token).matches("[A-Za-z0-9_-]{22}");
        assertThat(t.take(token)).contains("exec a");
        assertThat(t.take(token)).isEmpty();
        assertThat(t.take("unknown")).isEmpty();
    }

    @Test
    void aTokenExpiresAfterOneMinute() {
        StreamTokens<String> t = new StreamTokens<>(clock);
        String early = t.put("early");
        now = now.plusSeconds(30);
        String late = t.put("late");
        now = now.plus(Duration.ofSeconds(30));

        assertThat(t.take(early)).as("60 s old").isEmpty();
        assertThat(t.take(late)).as("30 s old").contains("late");
    }

    @Test
    void atMostAThousandWaitAndExpiredOnesMakeRoom() {
        StreamTokens<Integer> t = new StreamTokens<>(clock);
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < StreamTokens.MAX_IN_FLIGHT; i++) {
            tokens.add(t.put(i));
        }
        assertThat(tokens).hasSize(StreamTokens.MAX_IN_FLIGHT);
        assertThatThrownBy(() -> t.put(-1)).isInstanceOf(JcdException.class).hasMessageContaining("1000 unused");
        now = now.plus(StreamTokens.TTL);
        t.put(1001);
        assertThat(t.size()).isEqualTo(1);
    }
}
