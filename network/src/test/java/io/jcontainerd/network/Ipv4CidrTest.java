package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ipv4CidrTest {
    @Test
    void parsesAndMasksToTheNetwork() {
        Ipv4Cidr c = Ipv4Cidr.parse("subnet", "10.213.7.9/16");
        assertThat(c).hasToString("10.213.0.0/16");
        assertThat(Ipv4Cidr.format(c.host(1))).isEqualTo("10.213.0.1");
        assertThat(c.size()).isEqualTo(65536);
        assertThat(c.contains(Ipv4Cidr.parseAddress("ip", "10.213.255.1"))).isTrue();
        assertThat(c.contains(Ipv4Cidr.parseAddress("ip", "10.214.0.1"))).isFalse();
    }

    @Test
    void overlapsWhenEitherContainsTheOther() {
        Ipv4Cidr docker0 = Ipv4Cidr.parse("a", "172.17.0.0/16");
        assertThat(docker0.overlaps(Ipv4Cidr.parse("b", "172.17.3.0/24"))).isTrue();
        assertThat(Ipv4Cidr.parse("b", "172.0.0.0/8").overlaps(docker0)).isTrue();
        assertThat(docker0.overlaps(Ipv4Cidr.parse("c", "172.18.0.0/16"))).isFalse();
    }

    @Test
    void carvesSubnetsOutOfAPool() {
        Ipv4Cidr pool = Ipv4Cidr.parse("pool", "10.214.0.0/16");
        assertThat(pool.subnet(24, 0)).hasToString("10.214.0.0/24");
        assertThat(pool.subnet(24, 255)).hasToString("10.214.255.0/24");
        assertThatThrownBy(() -> pool.subnet(8, 0)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void refusesWhatIsNotACidrNamingTheSetting() {
        assertThatThrownBy(() -> Ipv4Cidr.parse("[network] subnet", "10.0.0.0")).hasMessageContaining("[network] subnet").hasMessageContaining("prefix");
        assertThatThrownBy(() -> Ipv4Cidr.parse("s", "10.0.0.256/24")).hasMessageContaining("256");
        assertThatThrownBy(() -> Ipv4Cidr.parse("s", "10.0.0/24")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4Cidr.parse("s", "10.0.0.0/31")).hasMessageContaining("1 to 30");
        assertThatThrownBy(() -> Ipv4Cidr.parse("s", "10.0.0.0/x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Ipv4Cidr.parse("s", "1".repeat(40))).isInstanceOf(InvalidArgumentException.class);
    }
}
