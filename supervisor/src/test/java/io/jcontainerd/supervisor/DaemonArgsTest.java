package io.jcontainerd.supervisor;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The daemon's command line, read as picocli read it. */
class DaemonArgsTest {
    @Test
    void withNoOptionsRunsWithTheDefaultConfigFileNotMarkedAsGiven() {
        DaemonArgs a = DaemonArgs.parse(List.of());
        assertThat(a).isEqualTo(new DaemonArgs(DaemonConfig.DEFAULT_CONFIG_FILE, false, null, null, null, "info", DaemonArgs.Action.RUN));
    }

    @Test
    void takesEachOptionInEveryFormPicocliTook() {
        DaemonArgs a = DaemonArgs.parse(List.of("--config", "/c.toml", "--root=/r", "--state", "/s", "-a", "/a.sock", "-ldebug"));
        assertThat(a).isEqualTo(new DaemonArgs(Path.of("/c.toml"), true, Path.of("/r"), Path.of("/s"), Path.of("/a.sock"), "debug",
                DaemonArgs.Action.RUN));
        assertThat(DaemonArgs.parse(List.of("-c=/x.toml", "--address=/b.sock", "--log-level", "warn")))
                .isEqualTo(new DaemonArgs(Path.of("/x.toml"), true, null, null, Path.of("/b.sock"), "warn", DaemonArgs.Action.RUN));
        assertThat(DaemonArgs.parse(List.of("-c/y.toml")).config()).isEqualTo(Path.of("/y.toml"));
    }

    @Test
    void helpAndVersionAreActionsWhicheverComesFirstWins() {
        assertThat(DaemonArgs.parse(List.of("-h")).action()).isEqualTo(DaemonArgs.Action.HELP);
        assertThat(DaemonArgs.parse(List.of("--root", "/r", "--version")).action()).isEqualTo(DaemonArgs.Action.VERSION);
        assertThat(DaemonArgs.parse(List.of("-V", "--help")).action()).isEqualTo(DaemonArgs.Action.VERSION);
        assertThat(DaemonArgs.USAGE).startsWith("Usage: jcontainerd ").contains("--config=<configFile>")
                .contains(DaemonConfig.DEFAULT_CONFIG_FILE.toString()).contains("--log-level=<logLevel>");
    }

    @Test
    void refusesWhatItCannotUseNamingIt() {
        assertRefused(List.of("--bogus"), "Unknown option: '--bogus'");
        assertRefused(List.of("-x"), "Unknown option: '-x'");
        assertRefused(List.of("extra"), "Unmatched argument: 'extra'");
        assertRefused(List.of("--root"), "Missing required parameter for option '--root'");
        assertRefused(List.of("--root", "--state", "/s"), "Expected parameter for option '--root' but found '--state'");
        assertRefused(List.of("--root", "/a", "--root=/b"), "option '--root' should be specified only once");
        assertRefused(List.of("-c", "/a", "--config", "/b"), "option '--config' should be specified only once");
        assertRefused(List.of("--help=yes"), "option '--help' takes no value");
        assertRefused(List.of("--state", "a\0b"), "option '--state'");
    }

    private static void assertRefused(List<String> args, String message) {
        assertThatThrownBy(() -> DaemonArgs.parse(args)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(message);
    }
}
