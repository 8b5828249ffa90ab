package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.Int64Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import io.jcontainerd.api.cri.v1.SELinuxOption;
import io.jcontainerd.api.cri.v1.SecurityProfile;
import io.jcontainerd.api.cri.v1.SecurityProfile.ProfileType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A container's security context through the CRI, checked from inside the container as a user
 * would: seccomp (RuntimeDefault, Localhost, Unconfined) in /proc/self/status and in what a
 * syscall returns, users and groups in {@code id}, and AppArmor/SELinux refused on this node,
 * whose kernel runs neither (the test asserts that first).
 */
class CriSecurityContextIT {
    static CriNode node;
    static String image;
    static String pod;
    static PodSandboxConfig podConfig;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("crisec");
        image = node.pull("busybox");
        podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("sec").setUid("uid-sec").setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(node.cgroupParent).setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                        .setSeccomp(SecurityProfile.newBuilder().setProfileType(ProfileType.RuntimeDefault))))
                .build();
        pod = node.runPod(podConfig);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static ContainerConfig container(String name, UnaryOperator<LinuxContainerSecurityContext.Builder> sc) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of("sleep", "3600"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(sc.apply(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER)))))
                .build();
    }

    static SecurityProfile seccomp(ProfileType type) {
        return SecurityProfile.newBuilder().setProfileType(type).build();
    }

    @Test
    void runtimeDefaultSeccompFiltersTheContainerAndDeniesUnshareWithEperm() {
        String c = node.run(pod, podConfig, container("rtdefault", sc -> sc.setSeccomp(seccomp(ProfileType.RuntimeDefault))));

        assertThat(node.sh(c, "grep Seccomp: /proc/self/status")).matches("(?s)Seccomp:\\s+2\\s*");
        String unshare = node.sh(c, "unshare -U true; echo exit=$?");
        assertThat(unshare).contains("Operation not permitted").contains("exit=1");
        // what the profile allows still works
        assertThat(node.sh(c, "mkdir /tmp/d && echo made")).isEqualTo("made\n");
    }

    @Test
    void unconfinedSeccompAndNoSeccompFieldLeaveTheContainerUnfiltered() {
        String unconfined = node.run(pod, podConfig, container("unconfined", sc -> sc.setSeccomp(seccomp(ProfileType.Unconfined))));
        String unset = node.run(pod, podConfig, container("unset", sc -> sc));

        assertThat(node.sh(unconfined, "grep Seccomp: /proc/self/status")).matches("(?s)Seccomp:\\s+0\\s*");
        assertThat(node.sh(unset, "grep Seccomp: /proc/self/status")).matches("(?s)Seccomp:\\s+0\\s*");
    }

    @Test
    void theDeprecatedSeccompProfilePathRuntimeDefaultFiltersToo() {
        String c = node.run(pod, podConfig, container("deprecated", sc -> sc.setSeccompProfilePath("runtime/default")));

        assertThat(node.sh(c, "grep Seccomp: /proc/self/status")).matches("(?s)Seccomp:\\s+2\\s*");
    }

    @Test
    void aLocalhostProfileDenyingMkdirMakesMkdirFail() throws Exception {
        Path profile = Files.writeString(node.dir.resolve("no-mkdir.json"), """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
                """);
        String c = node.run(pod, podConfig, container("localhost", sc -> sc.setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(ProfileType.Localhost).setLocalhostRef(profile.toString()))));

        assertThat(node.sh(c, "mkdir /tmp/x; echo exit=$?")).contains("Operation not permitted").contains("exit=1");
        assertThat(node.sh(c, "touch /tmp/f && echo touched")).isEqualTo("touched\n");
        assertThat(node.sh(c, "grep Seccomp: /proc/self/status")).matches("(?s)Seccomp:\\s+2\\s*");
    }

    @Test
    void aLocalhostProfileThatIsNotJsonOrHasAnUnknownActionIsRefusedSayingWhy() throws Exception {
        Path bad = Files.writeString(node.dir.resolve("bad.json"), "{\"defaultAction\": ");
        Path unknown = Files.writeString(node.dir.resolve("unknown.json"), """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]}
                """);

        assertThatThrownBy(() -> node.create(pod, podConfig, container("badjson", sc -> sc.setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(ProfileType.Localhost).setLocalhostRef(bad.toString())))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(bad.toString()).contains("is not valid JSON");
                });
        assertThatThrownBy(() -> node.create(pod, podConfig, container("bogus", sc -> sc.setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(ProfileType.Localhost).setLocalhostRef(unknown.toString())))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("syscalls[0].action \"SCMP_ACT_BOGUS\" is not a seccomp action");
                });
        assertThatThrownBy(() -> node.create(pod, podConfig, container("missing", sc -> sc.setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(ProfileType.Localhost).setLocalhostRef(node.dir.resolve("none.json").toString())))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("cannot read seccomp profile"));
    }

    @Test
    void runAsUsernameIsLookedUpInTheImagesPasswdAndSupplementalGroupsAreAdded() {
        String c = node.run(pod, podConfig, container("byname", sc -> sc.setRunAsUsername("www-data").addSupplementalGroups(1234)
                .addSupplementalGroups(5678)));

        String id = node.sh(c, "id");
        assertThat(id).startsWith("uid=33(www-data) gid=33(www-data) groups=").contains("1234").contains("5678");
    }

    @Test
    void runAsUserAndRunAsGroupAreTheProcessIds() {
        String c = node.run(pod, podConfig, container("byid", sc -> sc.setRunAsUser(Int64Value.newBuilder().setValue(1000).build()).setRunAsGroup(Int64Value.newBuilder().setValue(50).build())
                .addSupplementalGroups(4000)));

        assertThat(node.sh(c, "id")).isEqualTo("uid=1000 gid=50(staff) groups=4000\n");
    }

    @Test
    void aUserNameTheImageDoesNotHaveIsRefused() {
        assertThatThrownBy(() -> node.create(pod, podConfig, container("nosuch", sc -> sc.setRunAsUsername("no-such-user"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("\"no-such-user\" is not in the image's /etc/passwd");
                });
    }

    @Test
    void appArmorAndSelinuxAreRefusedNamingTheFieldOnThisNodeWhichRunsNeitherButUnconfinedIsAccepted() {
        assertThat(Files.isDirectory(Path.of("/sys/kernel/security/apparmor"))).as("this test expects a node without AppArmor").isFalse();
        assertThat(Files.exists(Path.of("/sys/fs/selinux/enforce"))).as("this test expects a node without SELinux").isFalse();

        assertThatThrownBy(() -> node.create(pod, podConfig, container("aa", sc -> sc.setApparmor(SecurityProfile.newBuilder()
                .setProfileType(ProfileType.Localhost).setLocalhostRef("k8s-nginx")))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("apparmor Localhost k8s-nginx cannot be applied: AppArmor is not enabled");
                });
        assertThatThrownBy(() -> node.create(pod, podConfig, container("aadefault", sc -> sc.setApparmor(seccomp(ProfileType.RuntimeDefault)))))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("apparmor RuntimeDefault cannot be applied: AppArmor is not enabled"));
        assertThatThrownBy(() -> node.create(pod, podConfig, container("aaold", sc -> sc.setApparmorProfile("localhost/k8s-nginx"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("apparmor_profile \"localhost/k8s-nginx\" cannot be applied"));
        assertThatThrownBy(() -> node.create(pod, podConfig, container("se", sc -> sc.setSelinuxOptions(SELinuxOption.newBuilder()
                .setUser("system_u").setRole("system_r").setType("container_t").setLevel("s0:c1,c2")))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("selinux_options user=system_u").contains("SELinux is not enabled on this node");
                });

        String c = node.run(pod, podConfig, container("aaunconfined", sc -> sc.setApparmor(seccomp(ProfileType.Unconfined))
                .setApparmorProfile("unconfined")));
        assertThat(node.sh(c, "echo ran")).isEqualTo("ran\n");
    }
}
