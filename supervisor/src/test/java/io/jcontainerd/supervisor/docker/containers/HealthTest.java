package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Health.Result result(int code) {
        return new Health.Result("s", "e", code, "out");
    }

    @Test
    void aPassingProbeIsHealthyAndRetriesFailuresInARowMakeItUnhealthy() {
        Health h = new Health(Health.STARTING, 0, List.of());
        h = h.after(result(1), 2, false);
        assertThat(h.status()).isEqualTo(Health.STARTING);
        assertThat(h.failingStreak()).isEqualTo(1);
        h = h.after(result(0), 2, false);
        assertThat(h.status()).isEqualTo(Health.HEALTHY);
        assertThat(h.failingStreak()).isZero();
        h = h.after(result(1), 2, false).after(result(-1), 2, false);
        assertThat(h.status()).isEqualTo(Health.UNHEALTHY);
        assertThat(h.failingStreak()).isEqualTo(2);
    }

    @Test
    void failuresInTheStartPeriodDoNotCountWhileStartingAndOnlyFiveResultsAreKept() {
        Health h = new Health(Health.STARTING, 0, List.of());
        for (int i = 0; i < 7; i++) {
            h = h.after(result(i + 1), 1, true);
        }
        assertThat(h.status()).isEqualTo(Health.STARTING);
        assertThat(h.failingStreak()).isZero();
        assertThat(h.log()).extracting(Health.Result::exitCode).containsExactly(3, 4, 5, 6, 7);
        assertThat(h.restarted()).isEqualTo(new Health(Health.STARTING, 0, h.log()));
    }

    @Test
    void theCheckRunsCmdAsGivenAndCmdShellThroughShWithDockersDefaults() throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree("{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f localhost\"],\"Interval\":500000000}}");
        HealthCheck h = HealthCheck.of(c).orElseThrow();
        assertThat(h.argv()).containsExactly("/bin/sh", "-c", "curl -f localhost");
        assertThat(h.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(h.startPeriod()).isZero();
        assertThat(h.retries()).isEqualTo(3);
        assertThat(HealthCheck.of((ObjectNode) JSON.readTree("{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\",\"x\"]}}")).orElseThrow().argv())
                .containsExactly("true", "x");
        assertThat(HealthCheck.of((ObjectNode) JSON.readTree("{\"Healthcheck\":{\"Test\":[\"NONE\"]}}"))).isEmpty();
        assertThat(HealthCheck.of((ObjectNode) JSON.readTree("{\"Healthcheck\":null}"))).isEmpty();
    }

    @Test
    void aBadHealthcheckIsA400NamingTheField() throws Exception {
        assertThatThrownBy(() -> HealthCheck.validate(JSON.readTree("{\"Test\":[\"SHELL\",\"x\"]}")))
                .isInstanceOf(DockerApiException.class).hasMessageContaining("Test");
        assertThatThrownBy(() -> HealthCheck.validate(JSON.readTree("{\"Test\":[\"CMD\"]}")))
                .hasMessageContaining("needs a command");
        assertThatThrownBy(() -> HealthCheck.validate(JSON.readTree("{\"Test\":[\"CMD\",\"x\"],\"Timeout\":1000}")))
                .hasMessageContaining("Timeout");
        assertThatThrownBy(() -> HealthCheck.validate(JSON.readTree("{\"Retries\":-1}"))).hasMessageContaining("Retries");
    }
}
