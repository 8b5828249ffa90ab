package io.jcontainerd.ctr.run;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalsAndChainIdsTest {
    @Test
    void parsesSignalNamesWithAndWithoutSigAndNumbers() {
        assertThat(Signals.parse("SIGKILL")).isEqualTo(9);
        assertThat(Signals.parse("term")).isEqualTo(15);
        assertThat(Signals.parse("2")).isEqualTo(2);
        assertThat(Signals.parse("SIGWINCH")).isEqualTo(28);
        assertThatThrownBy(() -> Signals.parse("SIGNOPE")).hasMessageContaining("unknown signal SIGNOPE");
    }

    @Test
    void chainIdOfOneLayerIsItsDiffIdAndOfMoreIsTheHashOfThePairs() {
        assertThat(ChainIds.of(List.of("sha256:a"))).isEqualTo("sha256:a");
        // sha256("sha256:a sha256:b"), as `printf 'sha256:a sha256:b' | sha256sum` prints it
        assertThat(ChainIds.of(List.of("sha256:a", "sha256:b")))
                .isEqualTo("sha256:" + sha("sha256:a sha256:b"));
    }

    static String sha(String s) {
        try {
            Process p = new ProcessBuilder("sha256sum").start();
            p.getOutputStream().write(s.getBytes());
            p.getOutputStream().close();
            return new String(p.getInputStream().readAllBytes()).split(" ")[0];
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
