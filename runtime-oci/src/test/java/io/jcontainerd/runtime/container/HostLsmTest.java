package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.init.InitPlan;
import io.jcontainerd.runtime.spec.Capabilities;
import io.jcontainerd.runtime.spec.Process;
import io.jcontainerd.runtime.spec.User;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AppArmor and SELinux fields are applied where the LSM is enabled and refused where it is not; never ignored. */
class HostLsmTest {
    static final HostLsm NONE = new HostLsm(false, false);
    static final HostLsm APPARMOR = new HostLsm(true, false);
    static final HostLsm SELINUX = new HostLsm(false, true);

    static Process process(String apparmor, String selinux) {
        return new Process(false, null, new User(0, 0, null, List.of()), List.of("true"), List.of(), "/",
                new Capabilities(List.of(), List.of(), List.of(), List.of(), List.of()), List.of(), false, apparmor, null, selinux);
    }

    @Test
    void anAppArmorProfileIsRefusedWhereAppArmorIsNotEnabled() {
        assertThatThrownBy(() -> NONE.check(process("docker-default", null), null)).isInstanceOf(JruncException.class)
                .hasMessageContaining("process.apparmorProfile docker-default").hasMessageContaining("AppArmor is not enabled on this host");
    }

    @Test
    void selinuxLabelsAreRefusedWhereSelinuxIsNotEnabled() {
        assertThatThrownBy(() -> APPARMOR.check(process(null, "system_u:system_r:container_t:s0"), null))
                .hasMessageContaining("process.selinuxLabel system_u:system_r:container_t:s0").hasMessageContaining("SELinux is not enabled on this host");
        assertThatThrownBy(() -> NONE.check(process(null, null), "system_u:object_r:container_file_t:s0"))
                .hasMessageContaining("linux.mountLabel").hasMessageContaining("SELinux is not enabled on this host");
    }

    @Test
    void emptyFieldsNeedNoLsm() {
        NONE.check(process("", ""), "");
        assertThat(NONE.labels(process("", null))).isNull();
        assertThat(NONE.mountData("tmpfs", "mode=755", "")).isEqualTo("mode=755");
    }

    @Test
    void enabledLsmsGetTheLabelsForTheInitStage() {
        APPARMOR.check(process("docker-default", null), null);
        assertThat(APPARMOR.labels(process("docker-default", null))).isEqualTo(new InitPlan.Lsm("docker-default", null));
        SELINUX.check(process(null, "u:r:t:s0"), "u:object_r:f:s0");
        assertThat(SELINUX.labels(process(null, "u:r:t:s0"))).isEqualTo(new InitPlan.Lsm(null, "u:r:t:s0"));
    }

    @Test
    void theMountLabelGoesIntoTheDataOfFilesystemMountsButNotProcOrSysfs() {
        assertThat(SELINUX.mountData("tmpfs", "mode=755", "u:object_r:f:s0")).isEqualTo("mode=755,context=\"u:object_r:f:s0\"");
        assertThat(SELINUX.mountData("devpts", null, "u:object_r:f:s0")).isEqualTo("context=\"u:object_r:f:s0\"");
        assertThat(SELINUX.mountData("proc", null, "u:object_r:f:s0")).isNull();
        assertThat(SELINUX.mountData("sysfs", "ro", "u:object_r:f:s0")).isEqualTo("ro");
    }

    @Test
    void thisHostIsDetectedFromSecurityfsAndSelinuxfs() {
        HostLsm here = HostLsm.current();
        assertThat(here.appArmor()).isEqualTo(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/kernel/security/apparmor")));
        assertThat(here.selinux()).isEqualTo(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/fs/selinux/enforce")));
    }
}
