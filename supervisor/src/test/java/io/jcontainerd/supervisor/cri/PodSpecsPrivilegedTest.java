package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.api.cri.v1.Capability;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.SecurityProfile;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.ImageConfig;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OCI spec PodSpecs writes for a privileged container and pod, against a plain one (containerd 1.6's oci.WithPrivileged). */
class PodSpecsPrivilegedTest {
    static final ImageConfig IMAGE = new ImageConfig(null, null, "amd64", "linux", null,
            new ImageConfig.RunConfig(null, null, null, null, List.of("sh"), null, null, null, null), null, null);
    static final PodSpecs.PodNetwork NET = new PodSpecs.PodNetwork("/run/netns/x", "/tmp/hosts", "/tmp/resolv.conf", "/tmp/hostname");
    static final NodeLsm NO_LSM = new NodeLsm(false, false);
    @TempDir
    Path rootfs;

    static PodSandboxConfig pod(boolean privileged, UnaryOperator<LinuxSandboxSecurityContext.Builder> sc) {
        return PodSandboxConfig.newBuilder().setMetadata(PodSandboxMetadata.newBuilder().setName("p").setUid("u").setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(sc.apply(LinuxSandboxSecurityContext.newBuilder().setPrivileged(privileged))))
                .build();
    }

    JsonNode container(PodSandboxConfig pod, UnaryOperator<LinuxContainerSecurityContext.Builder> sc) throws Exception {
        ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(sc.apply(LinuxContainerSecurityContext.newBuilder()))).build();
        return PodSpecs.JSON.readTree(PodSpecs.container("cid", "pid", c, pod, IMAGE, NET, false, 1, new OomScoreFloor(0), new RootfsUsers(List.of(rootfs)), NO_LSM, ""));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode mountAt(JsonNode spec, String destination) {
        for (JsonNode m : spec.path("mounts")) {
            if (m.path("destination").asText().equals(destination)) {
                return m;
            }
        }
        return null;
    }

    @Test
    void aPrivilegedContainerHasEveryCapabilityNoMaskedPathsTheHostsDevicesAndWritableSysAndCgroupfs() throws Exception {
        JsonNode spec = container(pod(true, sc -> sc), sc -> sc.setPrivileged(true)
                .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.RuntimeDefault))
                .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL")));

        JsonNode caps = spec.path("process").path("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            assertThat(strings(caps.path(set))).as(set).isEqualTo(CapabilitySets.CURRENT);
        }
        assertThat(spec.path("linux").path("maskedPaths")).isEmpty();
        assertThat(spec.path("linux").path("readonlyPaths")).isEmpty();
        assertThat(spec.path("linux").has("seccomp")).as("no seccomp, RuntimeDefault asked or not").isFalse();
        assertThat(spec.path("process").path("noNewPrivileges").asBoolean()).isFalse();
        assertThat(spec.path("linux").path("resources").path("devices")).isEqualTo(PodSpecs.JSON.readTree("[{\"allow\":true,\"access\":\"rwm\"}]"));
        List<String> devices = new ArrayList<>();
        spec.path("linux").path("devices").forEach(d -> devices.add(d.path("path").asText() + " " + d.path("type").asText()
                + " " + d.path("major").asLong() + ":" + d.path("minor").asLong()));
        assertThat(devices).contains("/dev/null c 1:3", "/dev/zero c 1:5").noneMatch(d -> d.startsWith("/dev/ptmx ") || d.startsWith("/dev/console ")
                || d.startsWith("/dev/pts/"));
        assertThat(strings(mountAt(spec, "/sys").path("options"))).doesNotContain("ro");
        assertThat(mountAt(spec, "/sys/fs/cgroup").path("type").asText()).isEqualTo("cgroup");
        assertThat(strings(mountAt(spec, "/sys/fs/cgroup").path("options"))).doesNotContain("ro");
    }

    @Test
    void aContainerThatIsNotPrivilegedKeepsTheDefaultsInAPrivilegedPod() throws Exception {
        JsonNode spec = container(pod(true, sc -> sc), sc -> sc);

        assertThat(strings(spec.path("process").path("capabilities").path("effective"))).isEqualTo(PodSpecs.DEFAULT_CAPS);
        assertThat(spec.path("linux").path("maskedPaths")).isNotEmpty();
        assertThat(spec.path("linux").has("devices")).isFalse();
        assertThat(strings(mountAt(spec, "/sys").path("options"))).contains("ro");
        assertThat(mountAt(spec, "/sys/fs/cgroup").path("type").asText()).as("containerd's default: cgroupfs read-only").isEqualTo("cgroup");
        assertThat(strings(mountAt(spec, "/sys/fs/cgroup").path("options"))).contains("ro");
        assertThat(spec.path("linux").path("resources").path("devices").get(0)).isEqualTo(PodSpecs.JSON.readTree("{\"allow\":false,\"access\":\"rwm\"}"));
    }

    @Test
    void aPrivilegedContainerInAPodThatIsNotIsUnknownInContainerdsWords() {
        assertThatThrownBy(() -> container(pod(false, sc -> sc), sc -> sc.setPrivileged(true)))
                .isInstanceOfSatisfying(JcdException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN);
                    assertThat(e.getMessage()).contains("no privileged container allowed in sandbox p");
                });
    }

    @Test
    void aPrivilegedPodsPauseContainerHasNoSeccompAndAWritableSys() throws Exception {
        JsonNode privileged = PodSpecs.JSON.readTree(PodSpecs.sandbox("sid", pod(true, sc -> sc.setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.RuntimeDefault))), IMAGE, NET, false, NO_LSM, "", OomScoreFloor.NONE));
        JsonNode plain = PodSpecs.JSON.readTree(PodSpecs.sandbox("sid", pod(false, sc -> sc.setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.RuntimeDefault))), IMAGE, NET, false, NO_LSM, "", OomScoreFloor.NONE));

        assertThat(privileged.path("linux").has("seccomp")).isFalse();
        assertThat(strings(mountAt(privileged, "/sys").path("options"))).doesNotContain("ro");
        assertThat(plain.path("linux").has("seccomp")).isTrue();
        assertThat(strings(mountAt(plain, "/sys").path("options"))).contains("ro");
    }
}
