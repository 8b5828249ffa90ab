package io.jcontainerd.network.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Shell scripts standing in for CNI plugins in a temp dir: each records its stdin and environment, then does what it is told. */
final class FakePlugins {
    private FakePlugins() {
    }

    /** A plugin that saves stdin to {@code <dir>/<name>.<CNI_COMMAND>.in}, appends its command to {@code <dir>/calls}, then runs {@code body}. */
    static Path write(Path dir, String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\ncat > \"" + dir + "/" + name + ".$CNI_COMMAND.in\"\n"
                + "echo \"" + name + " $CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME $CNI_NETNS $CNI_ARGS $CNI_PATH\" >> \"" + dir + "/calls\"\n"
                + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
