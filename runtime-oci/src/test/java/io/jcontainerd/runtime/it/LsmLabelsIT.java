package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * process.apparmorProfile, process.selinuxLabel and linux.mountLabel on this host, which has neither AppArmor
 * nor SELinux enabled: runc 1.1.5 fails each (at the attr write, the validation, the tmpfs mount); jrunc
 * refuses each at create with an error naming the field and the reason, and leaves no container.
 */
class LsmLabelsIT {
    TwoRuntimes runtimes;

    @BeforeEach
    void setUp() throws Exception {
        if (Files.isDirectory(Path.of("/sys/kernel/security/apparmor")) || Files.exists(Path.of("/sys/fs/selinux/enforce"))) {
            throw new IllegalStateException("this test expects a host without AppArmor and SELinux; this one has one enabled");
        }
        runtimes = new TwoRuntimes();
        runtimes.bundle.args("true");
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    private void refusedByBoth(String expected) throws Exception {
        runtimes.bundle.save();
        String id = "lsm-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result runc = runtimes.runc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-r");
        assertThat(runc.code()).as("runc fails too: %s", runc.stderr()).isNotZero();
        Jrunc.Result jrunc = runtimes.jrunc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-j");
        assertThat(jrunc.code()).isNotZero();
        assertThat(jrunc.stderr()).contains(expected);
        assertThat(runtimes.jrunc.run("state", id + "-j").code()).as("no container is left").isNotZero();
    }

    @Test
    void anAppArmorProfileIsRefusedWithTheReason() throws Exception {
        runtimes.bundle.process().put("apparmorProfile", "docker-default");
        refusedByBoth("process.apparmorProfile docker-default cannot be applied: AppArmor is not enabled on this host");
    }

    @Test
    void anSelinuxProcessLabelIsRefusedWithTheReason() throws Exception {
        runtimes.bundle.process().put("selinuxLabel", "system_u:system_r:container_t:s0");
        refusedByBoth("process.selinuxLabel system_u:system_r:container_t:s0 cannot be applied: SELinux is not enabled on this host");
    }

    @Test
    void anSelinuxMountLabelIsRefusedWithTheReason() throws Exception {
        runtimes.bundle.linux().put("mountLabel", "system_u:object_r:container_file_t:s0");
        refusedByBoth("linux.mountLabel system_u:object_r:container_file_t:s0 cannot be applied: SELinux is not enabled on this host");
    }

    @Test
    void execWithAnAppArmorProfileIsRefusedToo() throws Exception {
        runtimes.bundle.args("sleep", "60");
        String id = "lsm-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(runtimes.jrunc.run("run", "-d", "--bundle", runtimes.bundle.dir.toString(), id).code()).isZero();
        Jrunc.Result exec = runtimes.jrunc.run("exec", "--apparmor", "docker-default", id, "true");
        assertThat(exec.code()).isNotZero();
        assertThat(exec.stderr()).contains("AppArmor is not enabled on this host");
    }
}
