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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/jctr against a real daemon, checking what a user sees. */
class JctrIT {
    static Path dir;
    static DaemonProcess daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        dir = Files.createTempDirectory("jctr-it");
        daemon = DaemonProcess.start(dir);
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Cli.Result jctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jctr").toString(),
                "--address", daemon.socket().toString()));
        cmd.addAll(List.of(args));
        return Cli.run(cmd);
    }

    @Test
    void versionPrintsClientAndServerLikeCtr() {
        Cli.Result r = jctr("version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Client:", "Server:", "  Version:  1.6.20+jcontainerd.")
                .containsPattern("  UUID: [0-9a-f-]{36}");
    }

    @Test
    void namespaceRoundTripWithAlignedColumnsAndLabels() {
        assertThat(jctr("namespaces", "create", "roundtrip", "team=infra", "tier=1").exit()).isZero();
        assertThat(jctr("ns", "create", "roundtrip-two").exit()).isZero();

        Cli.Result ls = jctr("namespaces", "ls");
        List<String> lines = ls.out().lines().toList();
        String header = lines.getFirst();
        String row = lines.stream().filter(l -> l.startsWith("roundtrip ")).findFirst().orElseThrow();
        assertThat(header).startsWith("NAME ");
        assertThat(row.indexOf("team=infra,tier=1")).as("LABELS column aligned:\n" + ls.out())
                .isEqualTo(header.indexOf("LABELS"));
        assertThat(jctr("ns", "ls", "-q").out().lines()).contains("roundtrip", "roundtrip-two");

        assertThat(jctr("ns", "label", "roundtrip", "tier=", "owner=me").exit()).isZero();
        assertThat(jctr("ns", "label", "roundtrip").out().strip()).isEqualTo("owner=me,team=infra");

        Cli.Result rm = jctr("ns", "rm", "roundtrip", "roundtrip-two");
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(rm.out().lines()).containsExactly("roundtrip", "roundtrip-two");
        assertThat(jctr("ns", "ls", "-q").out().lines()).doesNotContain("roundtrip", "roundtrip-two");
    }

    @Test
    void versionAndNamespacesLsPrintTheSameWithAndWithoutPicocli() {
        assertThat(jctr("ns", "create", "same-both-ways", "b=2", "a=1").exit()).isZero();
        try {
            // `-a=SOCK` is a form ShortCommand leaves to picocli; `--address SOCK` (jctr's) is one it runs itself
            for (List<String> command : List.of(List.of("version"), List.of("ns", "ls"), List.of("namespaces", "list", "-q"))) {
                List<String> viaPicocli = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jctr").toString(),
                        "-a=" + daemon.socket()));
                viaPicocli.addAll(command);
                Cli.Result picocli = Cli.run(viaPicocli);
                Cli.Result plain = jctr(command.toArray(String[]::new));
                assertThat(plain.exit()).as(plain.toString()).isZero();
                assertThat(plain.toString()).isEqualTo(picocli.toString());
            }
            assertThat(jctr("ns", "ls").out()).contains("a=1,b=2");
        } finally {
            jctr("ns", "rm", "same-both-ways");
        }
    }

    @Test
    void invalidNamespaceNameIsRefusedNamingTheRule() {
        Cli.Result r = jctr("ns", "create", "Not/Valid");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).hasLineCount(1).contains("Not/Valid").contains("at most 76 characters");
        Cli.Result tooLong = jctr("ns", "create", "a".repeat(77));
        assertThat(tooLong.err()).contains("77 characters long");
    }

    @Test
    void deletingAMissingNamespaceSaysNotFound() {
        Cli.Result r = jctr("ns", "rm", "never-created");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("never-created").contains("not found");
    }

    @Test
    void pluginsLsListsWhatIsServedAndWhatIsNot() {
        Cli.Result r = jctr("plugins", "ls");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().findFirst().orElseThrow()).startsWith("TYPE").contains("ID", "PLATFORMS", "STATUS");
        assertThat(r.out()).containsPattern("io\\.containerd\\.grpc\\.v1 +namespaces +- +ok")
                .containsPattern("io\\.containerd\\.grpc\\.v1 +tasks +- +ok")
                .containsPattern("io\\.containerd\\.grpc\\.v1 +transfer +- +error");
        Cli.Result filtered = jctr("plugins", "ls", "id==version");
        assertThat(filtered.out().lines().count()).isEqualTo(2);
    }

    @Test
    void snapshotsPrepareCommitListAndRefuseToRemoveAParent() {
        assertThat(jctr("-n", "snaps", "snapshots", "prepare", "base").exit()).isZero();
        assertThat(jctr("-n", "snaps", "snapshots", "commit", "layer1", "base").exit()).isZero();
        Cli.Result mounts = jctr("-n", "snaps", "snapshots", "prepare", "--target", "/mnt/t", "top", "layer1");
        assertThat(mounts.out()).startsWith("mount -t overlay overlay /mnt/t -o ").contains("lowerdir=").contains("upperdir=");
        Cli.Result ls = jctr("-n", "snaps", "snapshots", "ls");
        assertThat(ls.out()).containsPattern("(?m)^KEY +PARENT +KIND").containsPattern("(?m)^top +layer1 +Active")
                .containsPattern("(?m)^layer1 +Committed");
        assertThat(jctr("-n", "snaps", "snapshots", "usage", "layer1").out()).containsPattern("(?m)^layer1 +[0-9.]+ KiB +1");
        Cli.Result rm = jctr("-n", "snaps", "snapshots", "rm", "layer1");
        assertThat(rm.exit()).isEqualTo(1);
        assertThat(rm.err().strip()).hasLineCount(1).contains("layer1").contains("parent of top");
        assertThat(jctr("-n", "snaps", "snapshots", "rm", "top", "layer1").exit()).isZero();
        assertThat(jctr("-n", "snaps", "snapshots", "ls").out().lines()).hasSize(1);
    }

    @Test
    void versionAndNamespacesLsStartNoLoggingAndLookNothingUpOnTheClassPath() throws IOException {
        // each of these reads the jar's directory (README "Performance", session 12): java.util.logging and
        // System.Logger look their backend up as a service, protobuf's Utf8 looks Android's classes up by name
        for (List<String> command : List.of(List.of("version"), List.of("ns", "ls"), List.of("--version"))) {
            Path log = dir.resolve("class-init.log");
            List<String> line = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jctr").toString(), "-a", daemon.socket().toString()));
            line.addAll(command);
            Cli.Result r = Cli.run(line, Map.of("JCD_JAVA_OPTS", "-Xlog:class+init=info:file=" + log), 60);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(Files.readString(log)).as(command.toString())
                    .contains("io/jcontainerd/ctr/Main")
                    .doesNotContain("java/util/logging/LogManager", "jdk/internal/logger/BootstrapLogger",
                            "com/google/protobuf/Android", "java/util/ServiceLoader$LazyClassPathLookupIterator");
            Files.delete(log);
        }
    }

    @Test
    void unreachableDaemonIsOneLineNamingTheSocketAndHowToStartIt() {
        Path missing = dir.resolve("nobody-here.sock");
        Cli.Result r = Cli.run(List.of(RepoRoot.find().resolve("bin/jctr").toString(), "-a", missing.toString(), "ns", "ls"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).hasLineCount(1).contains(missing.toString()).contains("bin/jcontainerd");
    }
}
