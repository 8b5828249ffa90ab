package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.Capability;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.SecurityProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Privileged pods and containers and capabilities add/drop (ALL included) through the CRI, as
 * containerd 1.6's cri gives them, checked from inside the containers: CapEff in /proc/self/status
 * against the daemon's own, a tmpfs mounted inside the container (its own mount namespace: the
 * host is not touched), the host's device nodes in /dev, masked paths and sysfs in /proc/mounts.
 * A non-privileged container in a non-privileged pod of the same node gets none of it.
 */
class CriPrivilegedIT {
    /** containerd's default capabilities: bits 0,1,3,4,5,6,7,8,10,13,18,27,29,31. */
    static final String DEFAULT_CAP_EFF = "00000000a80425fb";
    /** Host character devices a privileged container should see with the same numbers, those this host has. */
    static final List<String> HOST_DEVICES = List.of("/dev/loop-control", "/dev/fuse", "/dev/kvm", "/dev/net/tun", "/dev/btrfs-control");
    static CriNode node;
    static String image;
    static PodSandboxConfig privilegedPod;
    static PodSandboxConfig plainPod;
    static String privileged;
    static String plain;
    static String daemonCapEff;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("cripriv");
        image = node.pull("busybox");
        privilegedPod = pod("priv", true);
        plainPod = pod("plain", false);
        privileged = node.runPod(privilegedPod);
        plain = node.runPod(plainPod);
        daemonCapEff = capEff(Files.readString(Path.of("/proc/" + node.daemon.pid() + "/status")));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static PodSandboxConfig pod(String name, boolean privileged) {
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid("uid-" + name).setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(node.cgroupParent)
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setPrivileged(privileged)))
                .build();
    }

    static ContainerConfig container(String name, UnaryOperator<LinuxContainerSecurityContext.Builder> sc) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of("sleep", "3600"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(sc.apply(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER)))))
                .build();
    }

    static String capEff(String status) {
        return status.lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow().substring("CapEff:".length()).strip();
    }

    static String capEffOf(String container) {
        return capEff(node.sh(container, "cat /proc/self/status"));
    }

    /** "major:minor" in hex, as busybox stat prints %t:%T. */
    static String numbers(Path device) throws Exception {
        long rdev = ((Number) Files.getAttribute(device, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue();
        long major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >> 12) & ~0xffL);
        return Long.toHexString(major) + ":" + Long.toHexString(minor);
    }

    @Test
    void aPrivilegedContainerHasEveryCapabilityOfTheDaemonCanMountAndSeesTheHostsDevicesUnmasked() throws Exception {
        List<String> hostDevices = HOST_DEVICES.stream().filter(d -> Files.exists(Path.of(d), LinkOption.NOFOLLOW_LINKS)).toList();
        assertThat(hostDevices).as("this test expects some of %s on the host", HOST_DEVICES).isNotEmpty();
        // RuntimeDefault seccomp asked: a privileged container gets none (containerd 1.6)
        String c = node.run(privileged, privilegedPod, container("root", sc -> sc.setPrivileged(true)
                .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.RuntimeDefault))
                .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL"))));

        assertThat(capEffOf(c)).as("the daemon's own CapEff, all sets; add/drop not looked at").isEqualTo(daemonCapEff);
        String status = node.sh(c, "grep -E '^(CapBnd|CapPrm|Seccomp|NoNewPrivs):' /proc/self/status");
        assertThat(status).contains("CapBnd:\t" + daemonCapEff).contains("CapPrm:\t" + daemonCapEff)
                .containsPattern("Seccomp:\\s+0").containsPattern("NoNewPrivs:\\s+0");
        // a tmpfs in the container's own mount namespace
        assertThat(node.sh(c, "mkdir -p /tmp/m && mount -t tmpfs tmpfs /tmp/m && touch /tmp/m/f && grep -c ' /tmp/m tmpfs ' /proc/mounts"))
                .isEqualTo("1\n");
        for (String d : List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom")) {
            assertThat(node.sh(c, "stat -c '%F %t:%T' " + d)).isEqualTo("character special file " + numbers(Path.of(d)) + "\n");
        }
        for (String d : hostDevices) {
            assertThat(node.sh(c, "stat -c '%t:%T' " + d)).as(d).isEqualTo(numbers(Path.of(d)) + "\n");
        }
        assertThat(node.sh(c, "readlink /dev/ptmx")).as("its own devpts' ptmx, not the host's").isEqualTo("pts/ptmx\n");
        String mounts = node.sh(c, "cat /proc/mounts");
        assertThat(mounts).as("no masked or read-only /proc paths").doesNotContain(" /proc/keys ").doesNotContain(" /proc/sys ");
        assertThat(mounts).as("sysfs read-write").containsPattern("(?m)^sysfs /sys sysfs rw,");
        assertThat(mounts).as("cgroupfs mounted, read-write").containsPattern("(?m) /sys/fs/cgroup/\\S+ \\S+ rw,");
    }

    @Test
    void aContainerThatIsNotPrivilegedGetsTheDefaultsInAPlainPod() throws Exception {
        String c = node.run(plain, plainPod, container("plain", sc -> sc));

        assertThat(capEffOf(c)).isEqualTo(DEFAULT_CAP_EFF);
        assertThat(node.sh(c, "mkdir -p /tmp/m && mount -t tmpfs tmpfs /tmp/m; echo exit=$?")).contains("exit=").doesNotContain("exit=0");
        assertThat(node.sh(c, "stat -c '%t:%T' /dev/null")).isEqualTo(numbers(Path.of("/dev/null")) + "\n");
        for (String d : HOST_DEVICES) {
            assertThat(node.sh(c, "test -e " + d + "; echo $?")).as(d).isEqualTo("1\n");
        }
        String mounts = node.sh(c, "cat /proc/mounts");
        assertThat(mounts).contains(" /proc/keys ").contains(" /proc/sys ").containsPattern("(?m)^sysfs /sys sysfs ro,");
        assertThat(mounts).as("cgroupfs mounted read-only, as containerd's").containsPattern("(?m) /sys/fs/cgroup/\\S+ \\S+ ro,")
                .doesNotContainPattern("(?m) /sys/fs/cgroup/\\S+ \\S+ rw,");
        assertThat(node.sh(c, "ls /sys/fs/cgroup")).as("the node's hierarchies (v1 here)").contains("memory\n");
        assertThat(node.sh(c, "mkdir /sys/fs/cgroup/memory/x; echo exit=$?")).contains("Read-only file system").contains("exit=1");
    }

    @Test
    void aPrivilegedContainerInAPodThatIsNotPrivilegedIsRefusedAsContainerdDoes() {
        assertThatThrownBy(() -> node.create(plain, plainPod, container("refused", sc -> sc.setPrivileged(true))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
                    assertThat(e.getStatus().getDescription()).contains("no privileged container allowed in sandbox plain")
                            .contains("privileged pod");
                });
    }

    @Test
    void addAllGivesTheDaemonsCapabilitiesAndDropAllNone() {
        String all = node.run(plain, plainPod, container("addall", sc -> sc.setCapabilities(Capability.newBuilder().addAddCapabilities("ALL"))));
        String none = node.run(plain, plainPod, container("dropall", sc -> sc.setCapabilities(Capability.newBuilder().addDropCapabilities("all"))));

        assertThat(capEffOf(all)).isEqualTo(daemonCapEff);
        assertThat(capEffOf(none)).isEqualTo("0000000000000000");
        // add ALL is not privileged: the container still cannot see the host's devices
        assertThat(node.sh(all, "test -e /dev/loop-control; echo $?")).isEqualTo("1\n");
    }

    @Test
    void addAllAndDropSomeIsAllButThoseAndDropAllAndAddSomeIsThoseAlone() {
        String allBut = node.run(plain, plainPod, container("allbut", sc -> sc.setCapabilities(Capability.newBuilder()
                .addAddCapabilities("ALL").addDropCapabilities("SYS_ADMIN").addDropCapabilities("cap_net_raw"))));
        String only = node.run(plain, plainPod, container("only", sc -> sc.setCapabilities(Capability.newBuilder()
                .addDropCapabilities("ALL").addAddCapabilities("NET_ADMIN").addAddCapabilities("CAP_KILL"))));

        long sysAdmin = 1L << 21;
        long netRaw = 1L << 13;
        assertThat(Long.parseUnsignedLong(capEffOf(allBut), 16)).isEqualTo(Long.parseUnsignedLong(daemonCapEff, 16) & ~sysAdmin & ~netRaw);
        assertThat(capEffOf(only)).isEqualTo(String.format("%016x", (1L << 12) | (1L << 5)));
        assertThat(node.sh(allBut, "mkdir -p /tmp/m && mount -t tmpfs tmpfs /tmp/m; echo exit=$?")).as("no CAP_SYS_ADMIN")
                .contains("exit=").doesNotContain("exit=0");
    }

    @Test
    void anUnknownCapabilityIsInvalidArgumentNamingIt() {
        assertThatThrownBy(() -> node.create(plain, plainPod, container("bogus", sc -> sc.setCapabilities(Capability.newBuilder()
                .addAddCapabilities("NET_ADMIN").addAddCapabilities("TELEPORT")))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("container bogus").contains("add_capabilities")
                            .contains("unknown capability \"TELEPORT\"");
                });
    }
}
