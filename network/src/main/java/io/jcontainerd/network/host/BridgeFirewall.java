package io.jcontainerd.network.host;

import java.util.ArrayList;
import java.util.List;

/**
 * Our iptables rules, per bridge network (not per container, as Docker's): everything in chains of
 * our own, reached by one jump each from the built-in FORWARD and POSTROUTING chains.
 * <pre>
 * filter FORWARD -> JCD-FORWARD:   -j JCD-ISOLATION-STAGE-1                          (first)
 *                                  -o BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
 *                                  -o BR -m conntrack --ctstate DNAT -j ACCEPT       (published ports)
 *                                  -i BR -j ACCEPT
 *        JCD-ISOLATION-STAGE-1:    -i BR ! -o BR -j JCD-ISOLATION-STAGE-2
 *        JCD-ISOLATION-STAGE-2:    -o BR -j DROP
 * nat POSTROUTING -> JCD-POSTROUTING:  -s SUBNET ! -o BR -j MASQUERADE              (ip_masq)
 * </pre>
 * The ACCEPTs let a network work when the FORWARD policy is DROP (dockerd sets it); the isolation
 * stages drop what enters from one of our bridges and leaves by another of ours (Docker's
 * DOCKER-ISOLATION-STAGE-1/2). Per-network rules cost nothing per container: the CNI firewall
 * plugin added ~80-170 ms of iptables calls to every ADD for the same effect.
 */
public final class BridgeFirewall {
    public static final String FORWARD = "JCD-FORWARD";
    public static final String STAGE_1 = "JCD-ISOLATION-STAGE-1";
    public static final String STAGE_2 = "JCD-ISOLATION-STAGE-2";
    public static final String POSTROUTING = "JCD-POSTROUTING";

    private final Iptables iptables;

    public BridgeFirewall(Iptables iptables) {
        this.iptables = iptables;
    }

    /** Adds bridge {@code bridge}'s rules (idempotent); {@code masqueradeSubnet} null for none. */
    public synchronized void add(String bridge, String subnet, boolean masquerade) {
        ensureChain("filter", STAGE_2);
        ensureChain("filter", STAGE_1);
        ensureChain("filter", FORWARD);
        ensureRule("filter", FORWARD, List.of("-j", STAGE_1), true);
        ensureJump("filter", "FORWARD", FORWARD);
        ensureRule("filter", STAGE_1, stage1(bridge), false);
        ensureRule("filter", STAGE_2, stage2(bridge), false);
        for (List<String> r : forward(bridge)) {
            ensureRule("filter", FORWARD, r, false);
        }
        if (masquerade) {
            ensureChain("nat", POSTROUTING);
            ensureJump("nat", "POSTROUTING", POSTROUTING);
            ensureRule("nat", POSTROUTING, masq(bridge, subnet), false);
        }
    }

    /** Removes bridge {@code bridge}'s rules. */
    public synchronized void remove(String bridge, String subnet) {
        deleteRule("filter", STAGE_1, stage1(bridge));
        deleteRule("filter", STAGE_2, stage2(bridge));
        for (List<String> r : forward(bridge)) {
            deleteRule("filter", FORWARD, r);
        }
        deleteRule("nat", POSTROUTING, masq(bridge, subnet));
    }

    /** Deletes our chains and the jumps to them once no bridge has a rule left in them. */
    public synchronized void pruneIfEmpty() {
        List<String> filter = iptables.rules("filter");
        boolean bridgesLeft = filter.stream().anyMatch(l -> l.startsWith("-A " + STAGE_1 + " ") || l.startsWith("-A " + STAGE_2 + " ")
                || (l.startsWith("-A " + FORWARD + " ") && !l.endsWith("-j " + STAGE_1)));
        if (!bridgesLeft && filter.contains("-N " + FORWARD)) {
            deleteJumps("filter", filter, FORWARD);
            iptables.run("filter", "-F", FORWARD);
            iptables.run("filter", "-X", FORWARD);
        }
        if (!bridgesLeft) {
            List<String> now = iptables.rules("filter");
            deleteJumps("filter", now, STAGE_1); // a jump left by an older firewall-plugin set-up (its admin chain)
            for (String chain : List.of(STAGE_1, STAGE_2)) {
                if (now.contains("-N " + chain)) {
                    iptables.run("filter", "-F", chain);
                    iptables.run("filter", "-X", chain);
                }
            }
        }
        List<String> nat = iptables.rules("nat");
        if (nat.contains("-N " + POSTROUTING) && nat.stream().noneMatch(l -> l.startsWith("-A " + POSTROUTING + " "))) {
            deleteJumps("nat", nat, POSTROUTING);
            iptables.run("nat", "-X", POSTROUTING);
        }
    }

    private static List<String> stage1(String bridge) {
        return List.of("-i", bridge, "!", "-o", bridge, "-j", STAGE_2);
    }

    private static List<String> stage2(String bridge) {
        return List.of("-o", bridge, "-j", "DROP");
    }

    private static List<List<String>> forward(String bridge) {
        return List.of(
                List.of("-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                List.of("-o", bridge, "-m", "conntrack", "--ctstate", "DNAT", "-j", "ACCEPT"),
                List.of("-i", bridge, "-j", "ACCEPT"));
    }

    private static List<String> masq(String bridge, String subnet) {
        return List.of("-s", subnet, "!", "-o", bridge, "-j", "MASQUERADE");
    }

    private void ensureChain(String table, String chain) {
        if (!iptables.chainExists(table, chain)) {
            Iptables.Run r = iptables.run(table, "-N", chain);
            if (r.status() != 0 && !iptables.chainExists(table, chain)) {
                iptables.ok(table, "-N", chain);
            }
        }
    }

    /** The jump from a built-in chain, first in it. */
    private void ensureJump(String table, String builtin, String chain) {
        if (iptables.run(table, "-C", builtin, "-j", chain).status() != 0) {
            iptables.ok(table, "-I", builtin, "1", "-j", chain);
        }
    }

    private void ensureRule(String table, String chain, List<String> rule, boolean first) {
        if (iptables.run(table, args("-C", chain, rule)).status() != 0) {
            if (first) {
                List<String> a = new ArrayList<>(List.of("-I", chain, "1"));
                a.addAll(rule);
                iptables.ok(table, a.toArray(String[]::new));
            } else {
                iptables.ok(table, args("-A", chain, rule));
            }
        }
    }

    private void deleteRule(String table, String chain, List<String> rule) {
        if (!iptables.chainExists(table, chain)) {
            return;
        }
        while (iptables.run(table, args("-C", chain, rule)).status() == 0) {
            iptables.ok(table, args("-D", chain, rule));
        }
    }

    private void deleteJumps(String table, List<String> rules, String target) {
        for (String line : rules) {
            if (line.startsWith("-A ") && line.endsWith("-j " + target)) {
                List<String> del = new ArrayList<>(Iptables.splitRule(line.substring(3)));
                del.addFirst("-D");
                iptables.run(table, del.toArray(String[]::new));
            }
        }
    }

    private static String[] args(String op, String chain, List<String> rule) {
        List<String> a = new ArrayList<>(List.of(op, chain));
        a.addAll(rule);
        return a.toArray(String[]::new);
    }
}
