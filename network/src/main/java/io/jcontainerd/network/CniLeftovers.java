package io.jcontainerd.network;

import io.jcontainerd.network.host.Iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * The chains the CNI plugins create on first use and never delete (portmap's CNI-HOSTPORT-*,
 * firewall's CNI-FORWARD): removed, with the jumps to them from the built-in chains, only when
 * they no longer hold any container's rule, so no other CNI user loses anything.
 */
final class CniLeftovers {
    private static final List<String> HOSTPORT = List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ");

    private final Iptables iptables;

    CniLeftovers(Iptables iptables) {
        this.iptables = iptables;
    }

    void pruneEmpty() {
        List<String> nat = iptables.rules("nat");
        if (nat.stream().noneMatch(l -> l.startsWith("-A CNI-HOSTPORT-DNAT ")) && nat.stream().anyMatch(l -> l.equals("-N CNI-HOSTPORT-DNAT"))) {
            deleteJumps("nat", nat, HOSTPORT);
            for (String chain : HOSTPORT) {
                iptables.run("nat", "-F", chain);
            }
            for (String chain : HOSTPORT) {
                iptables.run("nat", "-X", chain);
            }
        }
        List<String> filter = iptables.rules("filter");
        boolean forwardHasContainers = filter.stream()
                .anyMatch(l -> l.startsWith("-A CNI-FORWARD ") && (l.contains(" -s ") || l.contains(" -d ")));
        if (!forwardHasContainers && filter.contains("-N CNI-FORWARD")) {
            deleteJumps("filter", filter, List.of("CNI-FORWARD"));
            iptables.run("filter", "-F", "CNI-FORWARD");
            iptables.run("filter", "-X", "CNI-FORWARD");
            List<String> after = iptables.rules("filter");
            if (after.contains("-N CNI-ADMIN") && after.stream().noneMatch(l -> l.startsWith("-A CNI-ADMIN ") || l.endsWith("-j CNI-ADMIN"))) {
                iptables.run("filter", "-X", "CNI-ADMIN");
            }
        }
    }

    private void deleteJumps(String table, List<String> rules, List<String> targets) {
        for (String line : rules) {
            if (!line.startsWith("-A ")) {
                continue;
            }
            String chain = line.split(" ")[1];
            if (targets.contains(chain)) {
                continue;
            }
            for (String t : targets) {
                if (line.endsWith("-j " + t)) {
                    List<String> args = new ArrayList<>(Iptables.splitRule(line.substring(3)));
                    args.addFirst("-D");
                    iptables.run(table, args.toArray(String[]::new));
                }
            }
        }
    }

}
