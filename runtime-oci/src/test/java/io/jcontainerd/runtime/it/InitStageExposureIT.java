package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a container can learn from its init stage while that is still a JVM (created, not started): its
 * environment holds nothing of the caller's, its command line names nothing of the host, and a crash of that JVM writes no hs_err report (host paths, environment, memory map) into
 * the container.
 */
class InitStageExposureIT {
    TwoRuntimes runtimes;
    final String id = "expose-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        runtimes.bundle.args("true");
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    private int createdInit() throws Exception {
        String marker = "JRUNC_IT_SECRET_" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result r = runtimes.jrunc.runWithEnv(Map.of(marker, "host-secret", "JAVA_TOOL_OPTIONS", "-Dleak=" + marker), null,
                "create", "--bundle", runtimes.bundle.dir.toString(), id);
        assertThat(r.code()).as("create: %s", r.stderr()).isZero();
        int pid = Integer.parseInt(runtimes.jrunc.run("state", id).stdout().replaceAll("(?s).*\"pid\":\\s*(\\d+).*", "$1"));
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ"));
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        assertThat(environ).as("the init stage's environment").doesNotContain(marker).doesNotContain("host-secret")
                .doesNotContain("JAVA_TOOL_OPTIONS").doesNotContain("PATH=");
        assertThat(cmdline).as("the init stage's command line").doesNotContain(marker);
        return pid;
    }

    @Test
    void theInitStageStartsWithNoneOfTheCallersEnvironment() throws Exception {
        createdInit();
    }

    @Test
    void theInitStagesCommandLineNamesOnlyItselfAnArgumentFileInItsJailAndTheSyncFd() throws Exception {
        // runc's, for comparison: `runc init`, nothing of the host
        Jrunc.Result rc = runtimes.runc.run("create", "--bundle", runtimes.bundle.dir.toString(), id);
        assertThat(rc.code()).as("runc create: %s", rc.stderr()).isZero();
        int runcPid = Integer.parseInt(runtimes.runc.run("state", id).stdout().replaceAll("(?s).*\"pid\":\\s*(\\d+).*", "$1"));
        List<String> runcArgs = List.of(Files.readString(Path.of("/proc/" + runcPid + "/cmdline")).split("\0"));
        assertThat(runcArgs).as("runc's init command line").hasSize(2).endsWith("init");
        assertThat(runtimes.runc.run("delete", "--force", id).code()).isZero();

        int pid = createdInit();
        List<String> args = List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
        String jruncDir = Jrunc.REPO.resolve("runtime-oci/target").toRealPath().toString();
        assertThat(args).as("the init stage's command line").hasSizeBetween(3, 4);
        assertThat(args.get(0)).as("argv[0], no path").isEqualTo("jrunc-init");
        assertThat(args.get(1)).as("the argument file, a file at the jail's top (no host directory)").matches("@/[^/]+");
        assertThat(args.get(2)).as("the sync socket's fd").matches("\\d+");
        assertThat(String.join(" ", args)).as("the init stage's command line")
                .doesNotContain("/bin/java").doesNotContain(".jar").doesNotContain(jruncDir).doesNotContain(" -").doesNotContain("io.jcontainerd");
    }

    @Test
    void aCrashOfTheInitJvmWritesNoErrorReportIntoTheContainer() throws Exception {
        int pid = createdInit();
        new ProcessBuilder("kill", "-SEGV", Integer.toString(pid)).inheritIO().start().waitFor();
        long until = System.nanoTime() + 30_000_000_000L;
        while (Files.exists(Path.of("/proc/" + pid + "/status")) && !Files.readString(Path.of("/proc/" + pid + "/status")).contains("State:\tZ")) {
            if (System.nanoTime() > until) throw new AssertionError("the init stage did not end after SIGSEGV");
            Thread.sleep(20);
        }
        try (Stream<Path> files = Files.walk(runtimes.bundle.rootfs())) {
            List<Path> reports = files.filter(p -> p.getFileName().toString().startsWith("hs_err")
                    || p.getFileName().toString().startsWith("core")).toList();
            assertThat(reports).as("crash reports in the rootfs").isEmpty();
        }
        assertThat(runtimes.jrunc.run("state", id).stdout()).contains("\"status\": \"stopped\"");
    }
}
