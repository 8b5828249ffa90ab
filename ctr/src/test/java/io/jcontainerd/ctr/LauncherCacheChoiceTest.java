package io.jcontainerd.ctr;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.RepoRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/jctr picks the AOT cache by the command word: jctr-base.aot for version (and --version) and
 * namespaces ls, jctr-run.aot for run, jctr.aot for the rest. Run on a copy of the launcher next to a stand-in jar and caches, with a
 * stand-in java that prints the arguments it was given.
 */
class LauncherCacheChoiceTest {
    @TempDir
    Path home;
    private Path jar;
    private Path full;
    private Path base;
    private Path run;

    @BeforeEach
    void layout() throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.copy(RepoRoot.find().resolve("bin/jctr"), home.resolve("bin/jctr"));
        Files.copy(RepoRoot.find().resolve("bin/common.sh"), home.resolve("bin/common.sh"));
        Path target = Files.createDirectories(home.resolve("ctr/target"));
        jar = Files.writeString(target.resolve("jctr.jar"), "stand-in");
        full = Files.writeString(target.resolve("jctr.aot"), "stand-in");
        base = Files.writeString(target.resolve("jctr-base.aot"), "stand-in");
        run = Files.writeString(target.resolve("jctr-run.aot"), "stand-in");
        Instant built = Instant.now().minusSeconds(60);
        Files.setLastModifiedTime(jar, FileTime.from(built));
        Files.setLastModifiedTime(full, FileTime.from(built.plusSeconds(10)));
        Files.setLastModifiedTime(base, FileTime.from(built.plusSeconds(10)));
        Files.setLastModifiedTime(run, FileTime.from(built.plusSeconds(10)));
        jar = jar.toRealPath();
        full = full.toRealPath();
        base = base.toRealPath();
        run = run.toRealPath();
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void versionAndNamespacesLsUseTheBaseCacheWhereverTheGlobalOptionsAre() {
        assertThat(cacheFor("version")).isEqualTo(base);
        assertThat(cacheFor("-a", "/run/x.sock", "version")).isEqualTo(base);
        assertThat(cacheFor("-n", "k8s.io", "--debug", "namespaces", "ls")).isEqualTo(base);
        assertThat(cacheFor("--timeout", "5s", "ns", "list", "-q")).isEqualTo(base);
        assertThat(cacheFor("--version")).isEqualTo(base);
        assertThat(cacheFor("-a", "/run/x.sock", "-V")).isEqualTo(base);
    }

    @Test
    void runUsesTheRunCacheWhereverTheGlobalOptionsAre() {
        assertThat(cacheFor("run", "--rm", "docker.io/library/busybox:latest", "x", "true")).isEqualTo(run);
        assertThat(cacheFor("-a", "/run/x.sock", "-n", "k8s.io", "run", "-d", "busybox", "x", "sleep", "9")).isEqualTo(run);
        assertThat(cacheFor("--debug", "run", "--cni", "-t", "busybox", "x")).isEqualTo(run); // picocli's form, same cache
    }

    @Test
    void withoutTheRunCacheRunUsesTheFullOne() throws IOException {
        Files.delete(run);
        assertThat(cacheFor("run", "--rm", "docker.io/library/busybox:latest", "x", "true")).isEqualTo(full);
    }

    @Test
    void everyOtherCommandAndNoCommandUseTheFullCache() {
        assertThat(cacheFor("-n", "default", "images", "pull", "docker.io/library/busybox:latest")).isEqualTo(full);
        assertThat(cacheFor("tasks", "ls")).isEqualTo(full);
        assertThat(cacheFor("--timeout", "5s", "ns", "create", "x")).isEqualTo(full); // picocli: not in the base cache
        assertThat(cacheFor("namespace", "rm", "x")).isEqualTo(full);
        assertThat(cacheFor("ns")).isEqualTo(full);
        assertThat(cacheFor("--help")).isEqualTo(full);
        assertThat(cacheFor()).isEqualTo(full);
    }

    @Test
    void aValueOfEveryValuedGlobalOptionIsNotTakenForTheCommand() {
        for (String option : Commands.valuedGlobalOptions()) {
            assertThat(cacheFor(option, "version", "images", "ls")).as(option).isEqualTo(full);
            assertThat(cacheFor(option, "run", "version")).as(option).isEqualTo(base);
            assertThat(cacheFor(option, "version", "run", "b", "x")).as(option).isEqualTo(run);
        }
    }

    @Test
    void withoutTheBaseCacheVersionUsesTheFullOne() throws IOException {
        Files.delete(base);
        assertThat(cacheFor("version")).isEqualTo(full);
    }

    @Test
    void aCacheOlderThanTheJarIsNotUsed() throws IOException {
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        assertThat(launch(Map.of(), "version")).noneMatch(a -> a.startsWith("-XX:AOTCache="));
    }

    @Test
    void aTrainingRunReadsNoCache() {
        List<String> args = launch(Map.of("JCD_JAVA_OPTS", "-XX:AOTCacheOutput=/tmp/x.aot -Djctr.train=true"), "version");
        assertThat(args).noneMatch(a -> a.startsWith("-XX:AOTCache=")).contains("-XX:AOTCacheOutput=/tmp/x.aot");
    }

    @Test
    void passesTheArgumentsOnAfterTheJarAndMainClass() {
        List<String> args = launch(Map.of(), "-a", "/run/x.sock", "run", "--rm", "a b");
        // -cp and the class, not -jar: the launcher would read the jar's directory for its manifest
        assertThat(args).doesNotContain("-jar");
        List<String> after = args.subList(args.indexOf("-cp") + 1, args.size());
        assertThat(Path.of(realPath(Path.of(after.get(0))))).isEqualTo(jar);
        assertThat(after.subList(1, after.size())).containsExactly(Main.class.getName(), "-a", "/run/x.sock", "run", "--rm", "a b");
    }

    @Test
    void namesTheSelectorProviderSoThatNoServiceLookupReadsTheJar() {
        assertThat(launch(Map.of(), "version")).contains("-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider");
    }

    private Path cacheFor(String... args) {
        List<String> given = launch(Map.of(), args);
        String flag = given.stream().filter(a -> a.startsWith("-XX:AOTCache=")).findFirst()
                .orElseThrow(() -> new AssertionError("no -XX:AOTCache= in " + given));
        return Path.of(realPath(Path.of(flag.substring("-XX:AOTCache=".length()))));
    }

    private List<String> launch(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/jctr").toString()));
        cmd.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(env);
        all.put("JCD_JAVA", home.resolve("java").toString());
        Cli.Result r = Cli.run(cmd, all, 30);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().lines().toList();
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            throw new AssertionError(p + " does not exist", e);
        }
    }
}
