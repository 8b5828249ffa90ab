package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.api.cri.v1.CDIDevice;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.Device;
import io.jcontainerd.api.cri.v1.Int64Value;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A CRI container config's devices in the OCI spec (containerd 1.6's customopts.WithDevices), and the input refused. */
class ContainerDevicesTest {
    @TempDir
    Path dir;

    static Device device(String host, String container, String permissions) {
        return Device.newBuilder().setHostPath(host).setContainerPath(container).setPermissions(permissions).build();
    }

    JsonNode spec(UnaryOperator<ContainerConfig.Builder> config) throws Exception {
        return spec(config, false);
    }

    JsonNode spec(UnaryOperator<ContainerConfig.Builder> config, boolean deviceOwnershipFromSecurityContext) throws Exception {
        ContainerConfig c = config.apply(ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))).build();
        return PodSpecs.JSON.readTree(PodSpecs.container("cid", "pid", c, PodSpecsPrivilegedTest.pod(false, sc -> sc),
                PodSpecsPrivilegedTest.IMAGE, PodSpecsPrivilegedTest.NET, false, 1, new OomScoreFloor(0), new RootfsUsers(List.of(dir)),
                PodSpecsPrivilegedTest.NO_LSM, "", deviceOwnershipFromSecurityContext));
    }

    static void mknod(Path p, String type, int major, int minor) throws Exception {
        Process pr = new ProcessBuilder("mknod", p.toString(), type, Integer.toString(major), Integer.toString(minor))
                .redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes());
        assertThat(pr.waitFor()).as("mknod %s (this test needs root): %s", p, out).isZero();
    }

    static void assertInvalid(ThrowingRunnable r, String... words) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(JcdException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(words);
        });
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aDeviceNodeIsGivenAtItsContainerPathWithTheHostsNumbersModeAndOwnerAndAnAllowRuleAfterTheDefaults() throws Exception {
        JsonNode spec = spec(c -> c.addDevices(device("/dev/null", "/dev/mynull", "r")).addDevices(device("/dev/loop-control", "", "rw")));

        assertThat(spec.path("linux").path("devices")).isEqualTo(PodSpecs.JSON.readTree("""
                [{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":438,"uid":0,"gid":0},
                 {"path":"/dev/loop-control","type":"c","major":10,"minor":237,"fileMode":384,"uid":0,"gid":0}]"""));
        JsonNode rules = spec.path("linux").path("resources").path("devices");
        assertThat(rules.get(0)).as("deny all first").isEqualTo(PodSpecs.JSON.readTree("{\"allow\":false,\"access\":\"rwm\"}"));
        assertThat(rules.get(rules.size() - 2)).isEqualTo(PodSpecs.JSON.readTree("{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"r\"}"));
        assertThat(rules.get(rules.size() - 1)).isEqualTo(PodSpecs.JSON.readTree("{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":237,\"access\":\"rw\"}"));
    }

    @Test
    void withDeviceOwnershipFromSecurityContextTheNodesBelongToRunAsUserAndGroupAsInContainerd() throws Exception {
        Path node = dir.resolve("owned");
        mknod(node, "c", 1, 3);
        Files.setAttribute(node, "unix:uid", 4321);
        Files.setAttribute(node, "unix:gid", 8765);
        UnaryOperator<ContainerConfig.Builder> both = c -> c.addDevices(device(node.toString(), "/dev/owned", "rw"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setRunAsUser(Int64Value.newBuilder().setValue(1000)).setRunAsGroup(Int64Value.newBuilder().setValue(2000))));
        JsonNode off = spec(both, false).at("/linux/devices/0");
        assertThat(off.get("uid").asLong()).as("by default the host node's owner").isEqualTo(4321);
        assertThat(off.get("gid").asLong()).isEqualTo(8765);
        JsonNode on = spec(both, true).at("/linux/devices/0");
        assertThat(on.get("path").asText()).isEqualTo("/dev/owned");
        assertThat(on.get("uid").asLong()).as("runAsUser").isEqualTo(1000);
        assertThat(on.get("gid").asLong()).as("runAsGroup").isEqualTo(2000);
        JsonNode userOnly = spec(c -> c.addDevices(device(node.toString(), "/dev/owned", "rw"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setRunAsUser(Int64Value.newBuilder().setValue(1000)))), true).at("/linux/devices/0");
        assertThat(userOnly.get("uid").asLong()).isEqualTo(1000);
        assertThat(userOnly.get("gid").asLong()).as("no runAsGroup: 0, as containerd's GetDeviceUserGroupID").isZero();
    }

    @Test
    void aSymlinkedHostPathIsResolvedAndADirectoryGivesItsDeviceNodesButNotConsolePtsOrOtherFiles() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), Path.of("/dev/null"));
        Path devs = Files.createDirectory(dir.resolve("devs"));
        mknod(devs.resolve("a"), "c", 1, 5);
        Files.createDirectory(devs.resolve("sub"));
        mknod(devs.resolve("sub/b"), "b", 7, 200);
        mknod(devs.resolve("console"), "c", 5, 1);
        Files.createDirectory(devs.resolve("pts"));
        mknod(devs.resolve("pts/0"), "c", 136, 0);
        Files.writeString(devs.resolve("plain"), "x");
        Files.createSymbolicLink(devs.resolve("lnk"), Path.of("/dev/null"));

        JsonNode spec = spec(c -> c.addDevices(device(dir.resolve("link").toString(), "/dev/l", "rwm"))
                .addDevices(device(devs.toString(), "/dev/x", "mr")));

        List<String> given = new ArrayList<>();
        spec.path("linux").path("devices").forEach(d -> given.add(d.path("path").asText() + " " + d.path("type").asText() + " "
                + d.path("major").asLong() + ":" + d.path("minor").asLong()));
        assertThat(given).containsExactlyInAnyOrder("/dev/l c 1:3", "/dev/x/a c 1:5", "/dev/x/sub/b b 7:200");
        List<String> rules = new ArrayList<>();
        spec.path("linux").path("resources").path("devices").forEach(r -> rules.add(r.toString()));
        assertThat(rules).contains("{\"allow\":true,\"type\":\"b\",\"major\":7,\"minor\":200,\"access\":\"mr\"}",
                "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"mr\"}");
    }

    @Test
    void badPermissionsPathsAndFilesThatAreNotDevicesAreInvalidArgumentNamingTheFieldAndValue() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        for (String bad : List.of("", "rwx", "rrw", "rwmr", "R")) {
            assertInvalid(() -> spec(c -> c.addDevices(device("/dev/null", "/dev/n", bad))), "container c: devices[0].permissions \"" + bad + "\"");
        }
        assertInvalid(() -> spec(c -> c.addDevices(device("/dev/null", "/dev/n", "r")).addDevices(device("/dev/nope-" + dir.getFileName(), "/dev/n", "r"))),
                "devices[1].host_path \"/dev/nope-", "does not exist");
        assertInvalid(() -> spec(c -> c.addDevices(device(file.toString(), "/dev/f", "r"))),
                "devices[0].host_path \"" + file + "\" is not a character or block device node");
        assertInvalid(() -> spec(c -> c.addDevices(device("dev/null", "/dev/n", "r"))), "devices[0].host_path \"dev/null\" must be an absolute path");
        assertInvalid(() -> spec(c -> c.addDevices(device("/dev/null", "dev/n", "r"))), "devices[0].container_path \"dev/n\" must be an absolute path");
        assertInvalid(() -> spec(c -> c.addDevices(device("/dev/null", "/dev/../etc/n", "r"))), "devices[0].container_path \"/dev/../etc/n\"", "..");
    }

    @Test
    void cdiDevicesAreRefusedSayingThereIsNoCdiSupport() {
        assertThatThrownBy(() -> spec(c -> c.addCDIDevices(CDIDevice.newBuilder().setName("vendor.com/gpu=0"))))
                .isInstanceOfSatisfying(JcdException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.NOT_IMPLEMENTED);
                    assertThat(e.getMessage()).contains("cdi_devices").contains("\"vendor.com/gpu=0\"").contains("no CDI spec directories");
                });
    }

    @Test
    void aPrivilegedContainerGetsTheHostsDevicesAndItsConfigDevicesAddNothing() throws Exception {
        ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
                .setLinux(io.jcontainerd.api.cri.v1.LinuxContainerConfig.newBuilder().setSecurityContext(
                        io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext.newBuilder().setPrivileged(true)))
                .addDevices(device("/dev/null", "/dev/mynull", "r")).build();
        JsonNode spec = PodSpecs.JSON.readTree(PodSpecs.container("cid", "pid", c, PodSpecsPrivilegedTest.pod(true, sc -> sc),
                PodSpecsPrivilegedTest.IMAGE, PodSpecsPrivilegedTest.NET, false, 1, new OomScoreFloor(0), new RootfsUsers(List.of(dir)),
                PodSpecsPrivilegedTest.NO_LSM, ""));
        List<Object> paths = new ArrayList<>();
        spec.path("linux").path("devices").forEach(d -> paths.add(d.path("path").asText()));
        assertThat(paths).contains("/dev/null").doesNotContain("/dev/mynull");
        assertThat(spec.path("linux").path("resources").path("devices")).isEqualTo(PodSpecs.JSON.readTree("[{\"allow\":true,\"access\":\"rwm\"}]"));
    }
}
