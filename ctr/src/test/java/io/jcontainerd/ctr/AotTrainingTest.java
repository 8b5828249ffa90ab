package io.jcontainerd.ctr;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AotTrainingTest {
    @Test
    void runsEveryLineInOrderAndFailsOnlyForARequiredOne() {
        Captured ok = Captured.train("--version", "?no-such-command", "--version");
        assertThat(ok.exit).isZero();
        assertThat(ok.out).containsSubsequence("jctr 0.1.0", "jctr 0.1.0");
        assertThat(ok.err).contains("jctr training: 'no-such-command' exited 2 (optional: training goes on)");

        Captured failed = Captured.train("no-such-command", "--version");
        assertThat(failed.exit).isEqualTo(1);
        assertThat(failed.out).contains("jctr 0.1.0");
        assertThat(failed.err).contains("jctr training: failed: [no-such-command]");
    }

    private record Captured(int exit, String out, String err) {
        static Captured train(String... lines) {
            PrintStream out = System.out;
            PrintStream err = System.err;
            var o = new ByteArrayOutputStream();
            var e = new ByteArrayOutputStream();
            try {
                System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
                int exit = AotTraining.train(lines);
                return new Captured(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
        }
    }
}
