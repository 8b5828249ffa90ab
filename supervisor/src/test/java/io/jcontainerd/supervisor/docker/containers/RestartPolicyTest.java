package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void onFailureRestartsNonZeroExitsUpToItsMaximum() {
        RestartPolicy p = new RestartPolicy("on-failure", 2);
        assertThat(p.restartsAfter(1, false, 0)).isTrue();
        assertThat(p.restartsAfter(1, false, 1)).isTrue();
        assertThat(p.restartsAfter(1, false, 2)).isFalse();
        assertThat(p.restartsAfter(0, false, 0)).isFalse();
        assertThat(new RestartPolicy("on-failure", 0).restartsAfter(1, false, 1000)).as("0 is no limit").isTrue();
    }

    @Test
    void alwaysAndUnlessStoppedRestartAnyExitButNotAClientsStop() {
        for (String name : new String[]{"always", "unless-stopped"}) {
            RestartPolicy p = new RestartPolicy(name, 0);
            assertThat(p.restartsAfter(0, false, 5)).isTrue();
            assertThat(p.restartsAfter(137, true, 0)).isFalse();
        }
        assertThat(new RestartPolicy("no", 0).restartsAfter(1, false, 0)).isFalse();
    }

    @Test
    void atDaemonStartAlwaysComesBackEvenAfterAStopUnlessStoppedDoesNot() {
        assertThat(new RestartPolicy("always", 0).restartsAtDaemonStart(137, true, 0)).isTrue();
        assertThat(new RestartPolicy("unless-stopped", 0).restartsAtDaemonStart(137, true, 0)).isFalse();
        assertThat(new RestartPolicy("unless-stopped", 0).restartsAtDaemonStart(0, false, 0)).isTrue();
        assertThat(new RestartPolicy("on-failure", 0).restartsAtDaemonStart(0, false, 0)).isFalse();
        assertThat(new RestartPolicy("no", 0).restartsAtDaemonStart(1, false, 0)).isFalse();
    }

    @Test
    void theDelayStartsAt100MsDoublesToAMinuteAndResetsAfterTenSecondsUp() {
        Duration short1 = Duration.ofMillis(5);
        Duration d = RestartPolicy.nextDelay(null, short1);
        assertThat(d).isEqualTo(Duration.ofMillis(100));
        d = RestartPolicy.nextDelay(d, short1);
        assertThat(d).isEqualTo(Duration.ofMillis(200));
        for (int i = 0; i < 20; i++) {
            d = RestartPolicy.nextDelay(d, short1);
        }
        assertThat(d).isEqualTo(Duration.ofMinutes(1));
        assertThat(RestartPolicy.nextDelay(d, Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void badPoliciesAreRefusedAsDockerdRefusesThem() throws Exception {
        assertThatThrownBy(() -> RestartPolicy.validated(JSON.readTree("{\"Name\":\"sometimes\"}"), false))
                .isInstanceOf(DockerApiException.class).hasMessageContaining("unknown policy 'sometimes'");
        assertThatThrownBy(() -> RestartPolicy.validated(JSON.readTree("{\"Name\":\"always\",\"MaximumRetryCount\":3}"), false))
                .hasMessageContaining("only be used with 'on-failure'");
        assertThatThrownBy(() -> RestartPolicy.validated(JSON.readTree("{\"Name\":\"always\"}"), true))
                .hasMessageContaining("--restart and --rm");
        assertThat(RestartPolicy.validated(null, true)).isEqualTo(new RestartPolicy("no", 0));
    }
}
