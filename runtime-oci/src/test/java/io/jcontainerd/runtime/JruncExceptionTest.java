package io.jcontainerd.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JruncExceptionTest {
    @Test
    void messagesReadAsStringFormatWouldWriteThem() {
        String[] fmts = {"container %s does not exist in %s", "hook #%d %s exited with status %d%s", "100%% of %s", "%s", "no args", ""};
        Object[][] args = {{"web", "/run/jrunc"}, {0, "/bin/sh", 4, "; its output: refused"}, {"x"}, {null}, {}, {}};
        for (int i = 0; i < fmts.length; i++) assertThat(JruncException.format(fmts[i], args[i])).isEqualTo(fmts[i].formatted(args[i]));
        assertThat(JruncException.system("cgroup %s: %d pids", "/a", 7L)).hasMessage("cgroup /a: 7 pids").extracting(JruncException::kind)
                .isEqualTo(JruncException.Kind.SYSTEM);
    }

    @Test
    void otherConversionsAndMissingArgumentsAreLeftToStringFormat() {
        assertThat(JruncException.format("%04X-%-5s|", 255, "ab")).isEqualTo("00FF-ab   |");
        assertThatThrownBy(() -> JruncException.format("%s and %s", "one")).isInstanceOf(java.util.MissingFormatArgumentException.class);
    }
}
