package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.RepoRoot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/docker-side-by-side.sh as CI runs it: the same 51 docker CLI 28 commands against Debian's
 * dockerd 20.10 and the facade, outputs equal once ids, times, addresses and the differences README
 * lists are masked. Both daemons on private sockets, data dirs and bridges, published ports on
 * 127.0.0.1, images from the loopback test registry; the script removes all it made (about 100 s).
 */
class DockerSideBySideIT {
    @Test
    void theSameDockerCommandsAnswerTheSameOnDockerdAndOnTheFacade() {
        Cli.requireTool("/usr/sbin/dockerd", "docker.io (Debian's dockerd 20.10)");
        Cli.requireTool(DockerFixture.DOCKER, "docker-ce-cli 28 (the docker CLI at /usr/local/bin/docker)");
        Cli.Result r = Cli.run(List.of(RepoRoot.find().resolve("scripts/docker-side-by-side.sh").toString()), Map.of(), 600);
        System.out.println(r.err());
        assertThat(r.exit()).as("differences (- dockerd, + jcontainerd):\n" + r).isZero();
        assertThat(r.err()).contains("57 commands, no difference besides the known ones");
    }
}
