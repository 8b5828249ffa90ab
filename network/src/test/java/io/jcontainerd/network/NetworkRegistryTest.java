package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.network.host.HostRoutes;
import io.jcontainerd.network.store.RecordStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkRegistryTest {
    @TempDir
    Path dir;
    final List<HostRoutes.Route> routes = new ArrayList<>(List.of(
            new HostRoutes.Route(Ipv4Cidr.parse("r", "192.0.2.0/24"), "eth0")));

    NetworkRegistry registry(String pool) {
        return new NetworkRegistry(new RecordStore<>(dir.resolve("networks"), Network.class), Ipv4Cidr.parse("pool", pool), () -> routes);
    }

    @Test
    void theDefaultNetworkIsRecordedOnceWithItsGatewayAndKeepsItsId() {
        NetworkRegistry r = registry("10.214.0.0/16");
        Network n = r.ensureDefault("jcd0", Ipv4Cidr.parse("s", "10.213.0.0/16"));
        assertThat(n.name()).isEqualTo("bridge");
        assertThat(n.gateway()).isEqualTo("10.213.0.1");
        assertThat(n.predefined()).isTrue();
        assertThat(n.id()).matches("[0-9a-f]{64}");
        assertThat(registry("10.214.0.0/16").ensureDefault("jcd0", Ipv4Cidr.parse("s", "10.213.0.0/16")).id()).isEqualTo(n.id());
    }

    @Test
    void aDefaultSubnetClashingWithDocker0Cni0OrAHostRouteIsRefusedAtStart() {
        NetworkRegistry r = registry("10.214.0.0/16");
        assertThatThrownBy(() -> r.ensureDefault("jcd0", Ipv4Cidr.parse("s", "172.17.0.0/16")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("docker0 or cni0");
        assertThatThrownBy(() -> r.ensureDefault("jcd0", Ipv4Cidr.parse("s", "10.88.5.0/24")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("10.88.0.0/16");
        assertThatThrownBy(() -> r.ensureDefault("jcd0", Ipv4Cidr.parse("s", "192.0.0.0/16")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("host route 192.0.2.0/24 via eth0");
        routes.add(new HostRoutes.Route(Ipv4Cidr.parse("r", "10.213.0.0/16"), "jcd0"));
        assertThat(r.ensureDefault("jcd0", Ipv4Cidr.parse("s", "10.213.0.0/16")).bridge()).as("our own bridge's route is no clash")
                .isEqualTo("jcd0");
    }

    @Test
    void userNetworksTakeTheNextFree24SkippingHostRoutesAndTakenSubnets() {
        routes.add(new HostRoutes.Route(Ipv4Cidr.parse("r", "10.214.1.0/24"), "eth1"));
        NetworkRegistry r = registry("10.214.0.0/22");
        r.ensureDefault("jcd0", Ipv4Cidr.parse("s", "10.213.0.0/16"));
        Network a = r.create("a", "", Map.of("k", "v"));
        Network b = r.create("b", "", Map.of());
        Network c = r.create("c", "10.215.0.0/24", Map.of());
        assertThat(a.subnet()).isEqualTo("10.214.0.0/24");
        assertThat(a.labels()).containsEntry("k", "v");
        assertThat(a.bridge()).matches("jcd-[0-9a-f]{11}").hasSizeLessThanOrEqualTo(15);
        assertThat(b.subnet()).isEqualTo("10.214.2.0/24");
        assertThat(c.gateway()).isEqualTo("10.215.0.1");
        r.create("d", "", Map.of());
        assertThatThrownBy(() -> r.create("e", "", Map.of())).isInstanceOf(FailedPreconditionException.class).hasMessageContaining("pool");
        assertThatThrownBy(() -> r.create("f", "10.214.0.128/25", Map.of())).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("network a");
    }

    @Test
    void namesAreUniqueValidAndNotPredefinedAndIdsResolveByPrefix() {
        NetworkRegistry r = registry("10.214.0.0/16");
        Network a = r.create("front", "", Map.of());
        assertThatThrownBy(() -> r.create("front", "", Map.of())).isInstanceOf(AlreadyExistsException.class);
        for (String bad : List.of("bridge", "host", "none")) {
            assertThatThrownBy(() -> r.create(bad, "", Map.of())).isInstanceOf(AlreadyExistsException.class).hasMessageContaining("predefined");
        }
        assertThatThrownBy(() -> r.create("a/b", "", Map.of())).isInstanceOf(InvalidArgumentException.class);
        assertThat(r.get(a.id().substring(0, 6))).isEqualTo(a);
        Network b = r.create(a.id().substring(0, 1), "", Map.of());
        assertThat(b.name()).as("a name that is also a prefix of another network's id is still free").isEqualTo(a.id().substring(0, 1));
        assertThat(r.get("front")).isEqualTo(a);
        assertThatThrownBy(() -> r.get("nope")).isInstanceOf(NotFoundException.class).hasMessageContaining("nope");
    }

    @Test
    void recordsAreOwnerOnlyFiles() throws Exception {
        Network a = registry("10.214.0.0/16").create("front", "", Map.of());
        Path f = dir.resolve("networks").resolve(a.id() + ".json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent()))).isEqualTo("rwx------");
    }
}
