package io.jcontainerd.runtime.container;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InitCommandTest {
    final InitCommand command = new InitCommand(Path.of("/opt/my jdk"), Path.of("/srv/j\"runc/jrunc.jar"),
            Path.of("/srv/j\"runc/lib/jna.jar"), Path.of("/srv/j\\runc/native"));

    @Test
    void theSpawnedCommandLineIsTheLauncherTheArgumentFileInTheJailAndTheSyncFd() {
        assertThat(command.launcherArgv(5, false)).containsExactly("jrunc-init", "@/jrunc-init.args", "5");
        assertThat(command.launcher()).isEqualTo("/opt/my jdk/bin/java");
        assertThat(command.launcherArgv(3, true)).containsExactly("jrunc-init", "@/jrunc-init.args", "3", "spare");
    }

    @Test
    void theArgumentFileHoldsEveryFixedArgumentQuotedOneALine() {
        List<String> lines = command.argFile().lines().toList();
        assertThat(lines).hasSize(command.argv(3).size() - 2);
        assertThat(lines).contains("\"-XX:+UseSerialGC\"", "\"-cp\"", "\"/srv/j\\\"runc/jrunc.jar:/srv/j\\\"runc/lib/jna.jar\"",
                "\"-Djna.boot.library.path=/srv/j\\\\runc/native\"", "\"io.jcontainerd.runtime.init.InitMain\"",
                "\"-Djava.util.logging.manager=io.jcontainerd.runtime.linux.JnaLogManager\"");
        assertThat(lines).allMatch(l -> l.startsWith("\"") && l.endsWith("\""));
    }
}
