package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerResources;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.jcontainerd.supervisor.cri.PodSpecsPrivilegedTest.IMAGE;
import static io.jcontainerd.supervisor.cri.PodSpecsPrivilegedTest.NET;
import static io.jcontainerd.supervisor.cri.PodSpecsPrivilegedTest.NO_LSM;
import static org.assertj.core.api.Assertions.assertThat;

/** containerd's restrict_oom_score_adj, on the pause container's spec and a container's. */
class OomScoreFloorTest {
    @TempDir
    Path rootfs;

    @Test
    void restrictedNothingGoesBelowTheDaemonsOwnUnrestrictedKubeletsValueIsKept() {
        OomScoreFloor restricted = new OomScoreFloor(-500);
        assertThat(restricted.apply(-997)).isEqualTo(-500);
        assertThat(restricted.apply(1000)).isEqualTo(1000);
        assertThat(OomScoreFloor.NONE.apply(-997)).isEqualTo(-997);
        assertThat(OomScoreFloor.NONE.apply(-5000)).as("bounded to the kernel's range").isEqualTo(-1000);
        assertThat(OomScoreFloor.NONE.apply(5000)).isEqualTo(1000);
    }

    @Test
    void restrictedTheFloorIsTheDaemonsOwnOomScoreAdj() throws Exception {
        int own = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        assertThat(OomScoreFloor.of(true).floor()).isEqualTo(own);
        assertThat(OomScoreFloor.of(false)).isEqualTo(OomScoreFloor.NONE);
    }

    @Test
    void thePauseContainerAsksForContainerdsMinus998WithinTheFloor() throws Exception {
        var pod = PodSpecsPrivilegedTest.pod(false, sc -> sc);
        JsonNode free = PodSpecs.JSON.readTree(PodSpecs.sandbox("sid", pod, IMAGE, NET, false, NO_LSM, "", OomScoreFloor.NONE));
        JsonNode floored = PodSpecs.JSON.readTree(PodSpecs.sandbox("sid", pod, IMAGE, NET, false, NO_LSM, "", new OomScoreFloor(0)));
        assertThat(free.path("process").path("oomScoreAdj").asInt()).isEqualTo(-998);
        assertThat(floored.path("process").path("oomScoreAdj").asInt()).isZero();
    }

    @Test
    void aGuaranteedContainersMinus997IsKeptOnlyWhenUnrestricted() throws Exception {
        ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
                .setLinux(LinuxContainerConfig.newBuilder().setResources(LinuxContainerResources.newBuilder().setOomScoreAdj(-997))).build();
        var pod = PodSpecsPrivilegedTest.pod(false, sc -> sc);
        JsonNode free = PodSpecs.JSON.readTree(PodSpecs.container("cid", "pid", c, pod, IMAGE, NET, false, 1, OomScoreFloor.NONE,
                new RootfsUsers(List.of(rootfs)), NO_LSM, ""));
        JsonNode floored = PodSpecs.JSON.readTree(PodSpecs.container("cid", "pid", c, pod, IMAGE, NET, false, 1, new OomScoreFloor(0),
                new RootfsUsers(List.of(rootfs)), NO_LSM, ""));
        assertThat(free.path("process").path("oomScoreAdj").asInt()).isEqualTo(-997);
        assertThat(floored.path("process").path("oomScoreAdj").asInt()).isZero();
    }
}
