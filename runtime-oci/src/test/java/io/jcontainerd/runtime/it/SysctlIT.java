package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** linux.sysctl keys that are not namespaced (kernel.core_pattern) must never reach the host's /proc/sys. */
class SysctlIT {
    static final Path CORE_PATTERN = Path.of("/proc/sys/kernel/core_pattern");
    TwoRuntimes runtimes;
    String original;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        original = Files.readString(CORE_PATTERN);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            runtimes.close();
        } finally {
            // a failing run must not leave the host changed for everyone else on this machine
            if (!Files.readString(CORE_PATTERN).equals(original)) Files.writeString(CORE_PATTERN, original.strip());
        }
    }

    @Test
    void aBundleSettingKernelCorePatternIsRefusedByBothAndTheHostKeepsItsValue() throws Exception {
        runtimes.bundle.args("true");
        ((ObjectNode) runtimes.bundle.linux()).putObject("sysctl").put("kernel.core_pattern", "|/bin/false jrunc-it");
        runtimes.bundle.save();
        String id = "sysctl-" + UUID.randomUUID().toString().substring(0, 8);

        Jrunc.Result runc = runtimes.runc.run("create", "--bundle", runtimes.bundle.dir.toString(), id + "-r");
        assertThat(runc.code()).as("runc refuses it: %s", runc.stderr()).isNotZero();
        assertThat(runc.stderr()).contains("kernel.core_pattern");
        assertThat(Files.readString(CORE_PATTERN)).isEqualTo(original);

        Jrunc.Result jrunc = runtimes.jrunc.run("create", "--bundle", runtimes.bundle.dir.toString(), id + "-j");
        assertThat(Files.readString(CORE_PATTERN)).as("the host's core_pattern").isEqualTo(original);
        assertThat(jrunc.code()).as("jrunc create: %s", jrunc.stdout()).isNotZero();
        assertThat(jrunc.stderr()).contains("linux.sysctl kernel.core_pattern is not namespaced");
        assertThat(runtimes.jrunc.run("state", id + "-j").code()).as("no container is left").isNotZero();
    }

    @Test
    void aNamespacedKeyIsSetInsideTheContainerOnly() throws Exception {
        Path hostShmmni = Path.of("/proc/sys/kernel/shmmni");
        String host = Files.readString(hostShmmni).strip();
        String wanted = host.equals("1024") ? "2048" : "1024";
        runtimes.bundle.args("cat", "/proc/sys/kernel/shmmni", "/proc/sys/net/ipv4/ip_forward");
        ((ObjectNode) runtimes.bundle.linux()).putObject("sysctl").put("kernel.shmmni", wanted).put("net/ipv4/ip_forward", "1");
        runtimes.bundle.save();
        String id = "sysctl-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result runc = runtimes.runc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-r");
        assertThat(runc.stdout()).as("runc: %s", runc.stderr()).isEqualTo(wanted + "\n1\n");
        Jrunc.Result jrunc = runtimes.jrunc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-j");
        assertThat(jrunc.stdout()).as("jrunc: %s", jrunc.stderr()).isEqualTo(runc.stdout());
        assertThat(Files.readString(hostShmmni).strip()).isEqualTo(host);
    }
}
