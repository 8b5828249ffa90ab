package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** runc's rules for linux.sysctl (libcontainer/configs/validate): only keys the container's own namespaces hold. */
class SysctlPolicyTest {
    static final List<Linux.Namespace> OWN_ALL = List.of(ns("pid"), ns("network"), ns("ipc"), ns("uts"), ns("mount"));
    static final List<Linux.Namespace> HOST_ALL = List.of(ns("pid"), ns("mount"));

    static Linux.Namespace ns(String type) { return new Linux.Namespace(type, null); }

    static void check(List<Linux.Namespace> namespaces, String key) {
        SysctlPolicy.check(Map.of(key, "1"), namespaces);
    }

    @Test
    void acceptsIpcKeysAndMqueueInTheContainersOwnIpcNamespace() {
        for (String k : List.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.msg_max")) {
            check(OWN_ALL, k);
        }
    }

    @Test
    void refusesIpcKeysInTheHostsIpcNamespace() {
        assertThatThrownBy(() -> check(HOST_ALL, "kernel.shmmax")).isInstanceOf(JruncException.class)
                .hasMessageContaining("kernel.shmmax").hasMessageContaining("host's ipc namespace");
    }

    @Test
    void acceptsNetKeysOnlyWithTheContainersOwnNetworkNamespace() {
        check(OWN_ALL, "net.ipv4.ip_forward");
        assertThatThrownBy(() -> check(HOST_ALL, "net.ipv4.ip_forward")).isInstanceOf(JruncException.class)
                .hasMessageContaining("net.ipv4.ip_forward").hasMessageContaining("host's network namespace");
        // joining the host's own network namespace by path is the host's namespace too
        assertThatThrownBy(() -> check(List.of(ns("mount"), new Linux.Namespace("network", "/proc/self/ns/net")), "net.core.somaxconn"))
                .isInstanceOf(JruncException.class).hasMessageContaining("host's network namespace");
    }

    @Test
    void refusesCorePatternAndEveryOtherHostWideKey() {
        for (String k : List.of("kernel.core_pattern", "kernel.modprobe", "vm.overcommit_memory", "fs.file-max", "kernel.hostname")) {
            assertThatThrownBy(() -> check(OWN_ALL, k)).as(k).isInstanceOf(JruncException.class).hasMessageContaining(k);
        }
        assertThatThrownBy(() -> check(OWN_ALL, "kernel.core_pattern")).hasMessageContaining("not namespaced");
    }

    @Test
    void acceptsDomainnameWithAnOwnUtsNamespaceButNotHostname() {
        check(OWN_ALL, "kernel.domainname");
        assertThatThrownBy(() -> check(OWN_ALL, "kernel.hostname")).hasMessageContaining("hostname field");
        assertThatThrownBy(() -> check(HOST_ALL, "kernel.domainname")).hasMessageContaining("kernel.domainname");
    }

    @Test
    void refusesKeysThatWouldLeaveProcSys() {
        for (String k : List.of("net...core", "net.ipv4/../../../kernel/core_pattern", "net.", ".net.x", "net.ipv4.\u0000x",
                "fs.mqueue..", "net/../kernel/core_pattern")) {
            assertThatThrownBy(() -> check(OWN_ALL, k)).as(k).isInstanceOf(JruncException.class).hasMessageContaining("sysctl");
        }
    }

    @Test
    void mapsBothSeparatorFormsToTheSameFileUnderProcSys() {
        assertThat(SysctlPolicy.procPath("net.ipv4.conf.eth0/100.rp_filter")).isEqualTo("net/ipv4/conf/eth0.100/rp_filter");
        assertThat(SysctlPolicy.procPath("net/ipv4/conf/eth0.100/rp_filter")).isEqualTo("net/ipv4/conf/eth0.100/rp_filter");
        assertThat(SysctlPolicy.procPath("kernel.shmmax")).isEqualTo("kernel/shmmax");
        check(OWN_ALL, "net/ipv4/conf/eth0.100/rp_filter");
    }
}
