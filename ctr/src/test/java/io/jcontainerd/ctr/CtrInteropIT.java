package io.jcontainerd.ctr;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.RepoRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** containerd's own client (Debian's ctr 1.6) against our daemon. */
class CtrInteropIT {
    static Path dir;
    static DaemonProcess daemon;
    static Path ctr;

    @BeforeAll
    static void start() throws IOException {
        ctr = Cli.requireTool("/usr/bin/ctr", "containerd");
        dir = Files.createTempDirectory("ctr-interop");
        daemon = DaemonProcess.start(dir);
    }

    @AfterAll
    static void stop() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ctr.toString(), "--address", daemon.socket().toString()));
        cmd.addAll(List.of(args));
        return Cli.run(cmd);
    }

    @Test
    void ctrVersionShowsOurServerVersionAndUuid() {
        Cli.Result r = ctr("version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Server:", "Version:  1.6.20+jcontainerd.").containsPattern("UUID: [0-9a-f-]{36}");
    }

    @Test
    void ctrCreatesAndListsNamespacesThatJctrSeesToo() {
        Cli.Result create = ctr("namespaces", "create", "from-ctr", "made=by-ctr");
        assertThat(create.exit()).as(create.toString()).isZero();
        Cli.Result ls = ctr("namespaces", "ls");
        assertThat(ls.exit()).isZero();
        assertThat(ls.out()).containsPattern("(?m)^from-ctr +made=by-ctr");

        Cli.Result jctr = Cli.run(List.of(RepoRoot.find().resolve("bin/jctr").toString(), "-a",
                daemon.socket().toString(), "ns", "ls", "-q"));
        assertThat(jctr.out().lines()).contains("from-ctr");

        Cli.Result rm = ctr("namespaces", "rm", "from-ctr");
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(ctr("namespaces", "ls", "-q").out().lines()).doesNotContain("from-ctr");
    }

    @Test
    void ctrPluginsLsShowsOurPlugins() {
        Cli.Result r = ctr("plugins", "ls");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("io\\.containerd\\.grpc\\.v1 +introspection +- +ok")
                .containsPattern("io\\.containerd\\.metadata\\.v1 +rocksdb +- +ok");
    }
}
