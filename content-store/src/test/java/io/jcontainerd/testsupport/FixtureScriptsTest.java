package io.jcontainerd.testsupport;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixtureScriptsTest {

    @Test
    void aMissingToolNamesTheDebianPackageToInstall() {
        assertThatThrownBy(() -> FixtureScripts.requireTool("jcd-no-such-tool", "jcd-some-package"))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("'jcd-no-such-tool' not found")
                .hasMessageContaining("apt-get install jcd-some-package");
    }

    @Test
    void findsTheRepositoryRootHoldingTheRegistryScript() {
        assertThat(FixtureScripts.repoRoot().resolve("scripts/test-registry.sh")).isRegularFile();
        assertThat(FixtureScripts.repoRoot().resolve("scripts/test-images.sh")).isRegularFile();
    }

    @Test
    void aFailingScriptReportsItsExitStatusAndStderr(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("fails.sh"), "echo 'docker-registry not found: install docker-registry' >&2; exit 3\n");

        assertThatThrownBy(() -> FixtureScripts.run(script, List.of(), Map.of(), Duration.ofSeconds(30)))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("exit 3")
                .hasMessageContaining("install docker-registry");
    }

    @Test
    void returnsTheScriptsStdoutWithTheGivenEnvironment(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("port.sh"), "echo progress >&2; echo \"$JCD_X $1\"\n");

        assertThat(FixtureScripts.run(script, List.of("arg"), Map.of("JCD_X", "41234"), Duration.ofSeconds(30)))
                .isEqualTo("41234 arg");
    }
}
