package io.jcontainerd.network.host;

import java.util.List;

/**
 * Keeps our networks apart, as Docker's DOCKER-ISOLATION-STAGE-1/2 chains do. The CNI firewall
 * plugin jumps from its CNI-FORWARD chain to an "admin" chain before it accepts a container's
 * traffic; ours is {@link #STAGE_1}, so:
 * <pre>
 * CNI-FORWARD -> JCD-ISOLATION-STAGE-1:  -i BR ! -o BR -j JCD-ISOLATION-STAGE-2   (one per bridge)
 *                JCD-ISOLATION-STAGE-2:  -o BR -j DROP                           (one per bridge)
 * </pre>
 * A packet that enters from one of our bridges and leaves by another of ours is dropped; traffic
 * inside one bridge, to the host and to the outside is not touched. Both chains are ours alone.
 */
public final class IsolationChains {
    public static final String STAGE_1 = "JCD-ISOLATION-STAGE-1";
    public static final String STAGE_2 = "JCD-ISOLATION-STAGE-2";
    private static final String TABLE = "filter";

    private final Iptables iptables;

    public IsolationChains(Iptables iptables) {
        this.iptables = iptables;
    }

    /** Adds bridge {@code bridge}'s two rules (idempotent). */
    public synchronized void add(String bridge) {
        ensureChain(STAGE_1);
        ensureChain(STAGE_2);
        ensureRule(STAGE_1, stage1(bridge));
        ensureRule(STAGE_2, stage2(bridge));
    }

    /** Removes bridge {@code bridge}'s rules; the chains go too when they are left empty and unreferenced. */
    public synchronized void remove(String bridge) {
        deleteRule(STAGE_1, stage1(bridge));
        deleteRule(STAGE_2, stage2(bridge));
    }

    /** Deletes both chains if they hold no rule (and the jump to them, which only CNI-FORWARD has). */
    public synchronized void pruneIfEmpty() {
        if (iptables.chainExists(TABLE, STAGE_1) && ruleCount(STAGE_1) == 0
                && (!iptables.chainExists(TABLE, STAGE_2) || ruleCount(STAGE_2) == 0)) {
            for (String line : iptables.rules(TABLE)) {
                if (line.startsWith("-A ") && line.endsWith("-j " + STAGE_1)) {
                    List<String> del = new java.util.ArrayList<>(Iptables.splitRule(line.substring(3)));
                    del.addFirst("-D");
                    iptables.run(TABLE, del.toArray(String[]::new));
                }
            }
            iptables.run(TABLE, "-X", STAGE_1);
            if (iptables.chainExists(TABLE, STAGE_2)) {
                iptables.run(TABLE, "-X", STAGE_2);
            }
        }
    }

    private int ruleCount(String chain) {
        return (int) iptables.rules(TABLE).stream().filter(l -> l.startsWith("-A " + chain + " ")).count();
    }

    private static List<String> stage1(String bridge) {
        return List.of("-i", bridge, "!", "-o", bridge, "-j", STAGE_2);
    }

    private static List<String> stage2(String bridge) {
        return List.of("-o", bridge, "-j", "DROP");
    }

    private void ensureChain(String chain) {
        if (!iptables.chainExists(TABLE, chain)) {
            Iptables.Run r = iptables.run(TABLE, "-N", chain);
            if (r.status() != 0 && !iptables.chainExists(TABLE, chain)) {
                iptables.ok(TABLE, "-N", chain);
            }
        }
    }

    private void ensureRule(String chain, List<String> rule) {
        if (iptables.run(TABLE, args("-C", chain, rule)).status() != 0) {
            iptables.ok(TABLE, args("-A", chain, rule));
        }
    }

    private void deleteRule(String chain, List<String> rule) {
        while (iptables.chainExists(TABLE, chain) && iptables.run(TABLE, args("-C", chain, rule)).status() == 0) {
            iptables.ok(TABLE, args("-D", chain, rule));
        }
    }

    private static String[] args(String op, String chain, List<String> rule) {
        String[] a = new String[rule.size() + 2];
        a[0] = op;
        a[1] = chain;
        for (int i = 0; i < rule.size(); i++) {
            a[i + 2] = rule.get(i);
        }
        return a;
    }
}
