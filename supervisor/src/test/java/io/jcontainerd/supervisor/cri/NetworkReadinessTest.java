package io.jcontainerd.supervisor.cri;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkReadinessTest {
    @TempDir
    Path dir;

    void plugin(Path d, String name) throws IOException {
        Files.createDirectories(d);
        Files.writeString(d.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(d.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void readyWhenBridgeHostLocalAndPortmapAreInOneOfThePluginDirs() throws IOException {
        plugin(dir.resolve("a"), "bridge");
        plugin(dir.resolve("b"), "host-local");
        plugin(dir.resolve("b"), "portmap");

        NetworkReadiness.Condition c = new NetworkReadiness(List.of(dir.resolve("a"), dir.resolve("b"))).check();

        assertThat(c.ready()).isTrue();
        assertThat(c.reason()).isEmpty();
    }

    @Test
    void notReadyNamingTheMissingPluginsTheDirsAndWhatToInstall() throws IOException {
        plugin(dir, "bridge");
        Files.writeString(dir.resolve("portmap"), "not executable");

        NetworkReadiness.Condition c = new NetworkReadiness(List.of(dir)).check();

        assertThat(c.ready()).isFalse();
        assertThat(c.reason()).isEqualTo("NetworkPluginNotReady");
        assertThat(c.message()).contains("host-local, portmap").contains(dir.toString()).contains("containernetworking-plugins");
    }
}
