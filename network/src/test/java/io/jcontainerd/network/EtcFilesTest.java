package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtcFilesTest {
    @Test
    void hostsFileHasDockersLocalhostLinesExtraHostsTheContainerAndItsPeers() {
        String hosts = EtcFiles.hosts("web", "", List.of("10.213.0.2"),
                List.of(EtcFiles.extraHost("db:10.1.2.3", "10.213.0.1"), EtcFiles.extraHost("gw:host-gateway", "10.213.0.1")),
                List.of(new EtcFiles.HostEntry("10.214.0.3", List.of("api", "backend"))));
        assertThat(hosts).isEqualTo("""
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                ff00::0\tip6-mcastprefix
                ff02::1\tip6-allnodes
                ff02::2\tip6-allrouters
                10.1.2.3\tdb
                10.213.0.1\tgw
                10.213.0.2\tweb
                10.214.0.3\tapi backend
                """);
    }

    @Test
    void aDomainNameGivesTheFullNameFirst() {
        assertThat(EtcFiles.hosts("web", "example.org", List.of("10.0.0.2"), List.of(), List.of()))
                .endsWith("10.0.0.2\tweb.example.org web\n");
    }

    @Test
    void extraHostsAcceptDockersTwoSpellingsAndRefuseNonsense() {
        assertThat(EtcFiles.extraHost("db=10.1.2.3", "").address()).isEqualTo("10.1.2.3");
        assertThat(EtcFiles.extraHost("v6:::1", "").address()).isEqualTo("::1");
        assertThatThrownBy(() -> EtcFiles.extraHost("db", "")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("name:ip");
        assertThatThrownBy(() -> EtcFiles.extraHost("db:300.1.1.1", "")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("300");
        assertThatThrownBy(() -> EtcFiles.extraHost("bad_name:10.0.0.1", "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> EtcFiles.extraHost("gw:host-gateway", "")).hasMessageContaining("host-gateway");
    }

    @Test
    void resolvConfDropsLoopbackNameserversAndKeepsSearchAndOptions() {
        String host = "# generated\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 trust-ad\n";
        assertThat(EtcFiles.resolvConf(host, List.of(), List.of(), List.of(), false))
                .isEqualTo("nameserver 192.0.2.53\nsearch corp.example\noptions edns0 trust-ad\n");
        assertThat(EtcFiles.resolvConf(host, List.of(), List.of(), List.of(), true)).startsWith("nameserver 127.0.0.53\n");
    }

    @Test
    void resolvConfFallsBackToDockersDefaultsWhenOnlyLoopbackResolversExist() {
        assertThat(EtcFiles.resolvConf("nameserver 127.0.0.53\n", List.of(), List.of(), List.of(), false))
                .isEqualTo("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    }

    @Test
    void dnsFlagsReplaceTheHostsLines() {
        String host = "nameserver 192.0.2.53\nsearch corp.example\noptions edns0\n";
        assertThat(EtcFiles.resolvConf(host, List.of("10.0.0.53"), List.of("a.example", "b.example"), List.of("ndots:2"), false))
                .isEqualTo("nameserver 10.0.0.53\nsearch a.example b.example\noptions ndots:2\n");
        assertThatThrownBy(() -> EtcFiles.resolvConf("", List.of("dns.example"), List.of(), List.of(), false))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> EtcFiles.resolvConf("", List.of(), List.of(), List.of("a b"), false))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void hostnameFileAndHostnameRules() {
        assertThat(EtcFiles.hostname("web")).isEqualTo("web\n");
        assertThat(EtcFiles.isHostname("web-1.example")).isTrue();
        assertThat(EtcFiles.isHostname("-web")).isFalse();
        assertThat(EtcFiles.isHostname("a".repeat(64))).isFalse();
        assertThatThrownBy(() -> EtcFiles.validateHostname("hostname", "a b")).hasMessageContaining("\"a b\"");
    }

    @Test
    void peerNamesFollowDockersContainerNameRuleUnderscoresIncluded() {
        assertThat(EtcFiles.validatePeerName("container name", "festive_turing")).isEqualTo("festive_turing");
        assertThatThrownBy(() -> EtcFiles.validatePeerName("network alias", "a b")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("network alias \"a b\"");
        assertThatThrownBy(() -> EtcFiles.validatePeerName("container name", "_x")).isInstanceOf(InvalidArgumentException.class);
    }
}
