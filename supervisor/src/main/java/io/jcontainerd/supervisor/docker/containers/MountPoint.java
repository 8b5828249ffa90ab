package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One volume or {@code --mount} of a container as inspect's Mounts shows it.
 *
 * @param type      volume, bind or tmpfs
 * @param name      the volume's name (empty for bind and tmpfs)
 * @param source    the host path (the volume's _data directory; empty for tmpfs)
 * @param mode      Docker's mode string ("z", "ro", "" ...)
 * @param anonymous a volume made for this container alone ({@code -v /path}): {@code rm -v} removes it
 * @param copyUp    an empty volume gets the image's content at its path at create (not with volume-nocopy)
 * @param options   the OCI mount options (tmpfs size and mode; bind propagation)
 */
public record MountPoint(String type, String name, String source, String destination, String mode, boolean rw,
                         String propagation, boolean anonymous, boolean copyUp, List<String> options) {
    public MountPoint {
        options = options == null ? List.of() : List.copyOf(options);
    }

    /** The HostConfig without the Binds that name volumes ({@code name:/path}): those are mount points, not host binds. */
    public static ObjectNode withoutVolumeBinds(ObjectNode host) {
        if (!host.path("Binds").isArray()) {
            return host;
        }
        ObjectNode h = host.deepCopy();
        ArrayNode binds = h.putArray("Binds");
        for (JsonNode b : host.path("Binds")) {
            if (b.asText().startsWith("/")) {
                binds.add(b);
            }
        }
        return h;
    }

    /** Adds the mount points to an OCI spec's mounts, each replacing what the spec had at its destination. */
    public static void addTo(ObjectNode spec, List<MountPoint> points) {
        ArrayNode m = (ArrayNode) spec.path("mounts");
        for (MountPoint p : points) {
            for (int i = m.size() - 1; i >= 0; i--) {
                if (m.get(i).path("destination").asText().equals(p.destination())) {
                    m.remove(i);
                }
            }
            ObjectNode n = m.addObject().put("destination", p.destination());
            ArrayNode o;
            if (p.type().equals("tmpfs")) {
                n.put("type", "tmpfs").put("source", "tmpfs");
                o = n.putArray("options");
                o.add("nosuid").add("nodev").add("noexec");
            } else {
                n.put("type", "bind").put("source", p.source());
                o = n.putArray("options");
                o.add("rbind").add(p.propagation().isEmpty() ? "rprivate" : p.propagation());
            }
            o.add(p.rw() ? "rw" : "ro");
            p.options().forEach(o::add);
        }
        // parents before children, as dockerd sorts them: a volume on /etc under /etc/hosts' bind, not over it
        List<JsonNode> sorted = new java.util.ArrayList<>();
        m.forEach(sorted::add);
        sorted.sort(java.util.Comparator.comparingInt(n -> depth(n.path("destination").asText())));
        m.removeAll();
        sorted.forEach(m::add);
    }

    private static int depth(String path) {
        int n = 0;
        for (String s : path.split("/")) {
            n += s.isEmpty() ? 0 : 1;
        }
        return n;
    }

    /** As inspect's Mounts shows it. */
    public ObjectNode json(ObjectNode n) {
        n.put("Type", type);
        if (type.equals("volume")) {
            n.put("Name", name);
        }
        n.put("Source", source).put("Destination", destination);
        if (type.equals("volume")) {
            n.put("Driver", "local");
        }
        n.put("Mode", mode).put("RW", rw).put("Propagation", propagation);
        return n;
    }
}
