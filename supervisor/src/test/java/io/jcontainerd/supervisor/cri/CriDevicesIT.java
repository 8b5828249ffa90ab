package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.Device;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.Int64Value;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A container config's devices through the CRI, as containerd 1.6's cri gives them to a container
 * that is not privileged: the host's node at the container path with the host's numbers, and the
 * device cgroup allowing only the permissions asked (checked by opening the node from inside).
 */
class CriDevicesIT {
    static CriNode node;
    static String image;
    static PodSandboxConfig podConfig;
    static String pod;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("cridev");
        image = node.pull("busybox");
        podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("devs").setUid("uid-devs").setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(node.cgroupParent))
                .build();
        pod = node.runPod(podConfig);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static ContainerConfig container(String name, Device... devices) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of("sleep", "3600"))
                .addAllDevices(List.of(devices))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build();
    }

    static Device device(String host, String container, String permissions) {
        return Device.newBuilder().setHostPath(host).setContainerPath(container).setPermissions(permissions).build();
    }

    @Test
    void aHostDeviceGivenReadOnlyIsAtItsContainerPathWithTheHostsNumbersAndCannotBeOpenedForWriting() throws Exception {
        String c = node.run(pod, podConfig, container("loopctl", device("/dev/loop-control", "/dev/myloopctl", "r"),
                device("/dev/null", "/dev/mynull", "r")));

        assertThat(node.sh(c, "stat -c '%F %t:%T %a' /dev/myloopctl"))
                .isEqualTo("character special file " + CriPrivilegedIT.numbers(Path.of("/dev/loop-control")) + " 600\n");
        assertThat(node.sh(c, "stat -c '%t:%T %a' /dev/mynull")).isEqualTo(CriPrivilegedIT.numbers(Path.of("/dev/null")) + " 666\n");
        assertThat(node.sh(c, "test -e /dev/loop-control; echo $?")).as("only at the container path").isEqualTo("1\n");
        assertThat(node.sh(c, ": < /dev/myloopctl && echo read-open")).isEqualTo("read-open\n");
        assertThat(node.sh(c, "(: > /dev/myloopctl); echo exit=$?")).as("the device cgroup allows r only")
                .contains("Operation not permitted").contains("exit=1");
    }

    @Test
    void withDeviceOwnershipFromSecurityContextTheDeviceBelongsToTheContainersUserAndGroup() throws Exception {
        try (CriNode owning = CriNode.start("cridevown", "[cri]\ndevice_ownership_from_security_context = true\n")) {
            String img = owning.pull("busybox");
            PodSandboxConfig config = PodSandboxConfig.newBuilder()
                    .setMetadata(PodSandboxMetadata.newBuilder().setName("owned").setUid("uid-owned").setNamespace("default"))
                    .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(owning.cgroupParent))
                    .build();
            String p = owning.runPod(config);
            ContainerConfig asUser = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("owner"))
                    .setImage(ImageSpec.newBuilder().setImage(img)).addAllCommand(List.of("sleep", "3600"))
                    .addDevices(device("/dev/null", "/dev/mynull", "rw"))
                    .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                            .setRunAsUser(Int64Value.newBuilder().setValue(1000)).setRunAsGroup(Int64Value.newBuilder().setValue(2000))))
                    .build();
            String c = owning.run(p, config, asUser);
            assertThat(owning.sh(c, "id -u; id -g; stat -c '%u:%g' /dev/mynull")).isEqualTo("1000\n2000\n1000:2000\n");
            assertThat(owning.sh(c, "echo x > /dev/mynull && echo written")).as("its owner writes to it").isEqualTo("written\n");
        }
        String c = node.run(pod, podConfig, container("hostowned", device("/dev/null", "/dev/mynull2", "r")));
        assertThat(node.sh(c, "stat -c '%u:%g' /dev/mynull2")).as("off by default: the host node's owner").isEqualTo("0:0\n");
    }

    @Test
    void aDirectoryOfHostDevicesGivesEachNodeUnderTheContainerPath() throws Exception {
        Path tun = Path.of("/dev/net/tun");
        assertThat(Files.exists(tun, LinkOption.NOFOLLOW_LINKS)).as("this test needs the host's /dev/net/tun").isTrue();
        String c = node.run(pod, podConfig, container("netdir", device("/dev/net", "/dev/hostnet", "rw")));

        assertThat(node.sh(c, "ls /dev/hostnet")).isEqualTo("tun\n");
        assertThat(node.sh(c, "stat -c '%t:%T' /dev/hostnet/tun")).isEqualTo(CriPrivilegedIT.numbers(tun) + "\n");
        assertThat(node.sh(c, ": <> /dev/hostnet/tun && echo rw-open")).as("opened read-write, no ioctl: no interface made").isEqualTo("rw-open\n");
    }

    @Test
    void aFileThatIsNotADeviceOrBadPermissionsAreInvalidArgumentNamingTheFieldAndValue() {
        assertThatThrownBy(() -> node.create(pod, podConfig, container("notdev", device("/etc/hostname", "/dev/h", "r"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("container notdev: devices[0].host_path \"/etc/hostname\"")
                            .contains("not a character or block device");
                });
        assertThatThrownBy(() -> node.create(pod, podConfig, container("badperm", device("/dev/null", "/dev/n", "rwx"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("container badperm: devices[0].permissions \"rwx\"");
                });
    }
}
