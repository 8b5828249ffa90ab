package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.docker.containers.DockerSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A CRI container's capability set, as containerd 1.6's cri (its WithCapabilities over
 * oci.WithAddedCapabilities / WithDroppedCapabilities): "ALL" in add_capabilities starts from every
 * capability the daemon itself holds, "ALL" in drop_capabilities from none, then each named
 * capability is added, then each named one dropped — so add ALL + drop X is all but X, drop ALL +
 * add X is X alone, and a capability both added and dropped is dropped. Names are case-insensitive,
 * with or without the "CAP_" prefix; "ALL" too.
 */
final class CapabilitySets {
    /** Every capability the daemon holds (its CapEff): containerd's cap.Current(), what ALL and privileged give. */
    static final List<String> CURRENT = current(Path.of("/proc/self/status"));

    private CapabilitySets() {
    }

    /**
     * @param base the set without add/drop (the CRI default capabilities)
     * @param all  what "ALL" stands for ({@link #CURRENT})
     */
    static List<String> apply(String who, List<String> base, List<String> all, List<String> add, List<String> drop) {
        Set<String> caps = new LinkedHashSet<>(base);
        List<String> added = names(who, "add_capabilities", add);
        List<String> dropped = names(who, "drop_capabilities", drop);
        if (added.contains("ALL")) {
            caps = new LinkedHashSet<>(all);
        }
        if (dropped.contains("ALL")) {
            caps.clear();
        }
        for (String c : added) {
            if (!c.equals("ALL")) {
                caps.add(c);
            }
        }
        for (String c : dropped) {
            caps.remove(c);
        }
        return List.copyOf(caps);
    }

    /** The names in OCI form (CAP_X), or ALL; an unknown name is refused naming it. */
    private static List<String> names(String who, String field, List<String> given) {
        List<String> out = new ArrayList<>();
        for (String raw : given) {
            String upper = raw.strip().toUpperCase(Locale.ROOT);
            if (upper.equals("ALL") || upper.equals("CAP_ALL")) {
                out.add("ALL");
                continue;
            }
            String name = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
            if (!DockerSpec.ALL_CAPS.contains(name)) {
                throw JcdException.invalidArgument("%s: %s: unknown capability \"%s\": give a capability of capabilities(7) "
                        + "(NET_ADMIN or CAP_NET_ADMIN, any case) or ALL", who, field, raw);
            }
            out.add(name);
        }
        return out;
    }

    /** The capability names of a mask's bits (bit n = capability n), those this version knows. */
    static List<String> fromMask(long mask) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < DockerSpec.ALL_CAPS.size(); bit++) {
            if ((mask & (1L << bit)) != 0) {
                out.add(DockerSpec.ALL_CAPS.get(bit));
            }
        }
        return List.copyOf(out);
    }

    /** The CapEff line of a /proc/PID/status file (first 64 KiB read); every known capability when unreadable. */
    static List<String> current(Path status) {
        try (InputStream in = Files.newInputStream(status)) {
            for (String line : new String(in.readNBytes(64 * 1024), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("CapEff:")) {
                    return fromMask(Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: as if the daemon held everything (the runtime drops what it cannot grant)
        }
        return DockerSpec.ALL_CAPS;
    }
}
