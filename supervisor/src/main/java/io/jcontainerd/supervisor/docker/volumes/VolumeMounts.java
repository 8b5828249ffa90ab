package io.jcontainerd.supervisor.docker.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.containers.ContainerArchive;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.ContainerVolumes;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.containers.MountPoint;
import io.jcontainerd.supervisor.docker.events.DockerEvent;
import io.jcontainerd.supervisor.docker.events.EventBus;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Containers' volumes: {@code -v name:/path} (the named volume made if missing), {@code -v /path}
 * and the image's VOLUMEs (anonymous volumes), {@code --mount type=volume|bind|tmpfs}; an empty
 * volume gets the image's content at its path at create (copy-up, as dockerd); which containers
 * use a volume (a volume in use is not removed); volume create and destroy events.
 */
public final class VolumeMounts implements ContainerVolumes {
    private static final Logger LOG = Logger.getLogger(VolumeMounts.class.getName());
    private final VolumeStore store;
    private final ContainerManager containers;
    private final ContainerArchive archive;
    private final EventBus events;

    public VolumeMounts(VolumeStore store, ContainerManager containers, ContainerArchive archive, EventBus events) {
        this.store = store;
        this.containers = containers;
        this.archive = archive;
        this.events = events;
    }

    public VolumeStore store() {
        return store;
    }

    /** The named volume, made (with an event) if there is none. */
    public Volume create(String name, Map<String, String> labels) {
        boolean existed = name != null && store.find(name).isPresent();
        Volume v = store.create(name, labels);
        if (!existed) {
            events.publish(DockerEvent.now("volume", "create", v.name(), Map.of("driver", "local")));
        }
        return v;
    }

    /** The IDs of the containers that use the volume. */
    public List<String> users(String name) {
        List<String> out = new ArrayList<>();
        for (LiveContainer c : containers.all()) {
            if (c.doc().mountPoints().stream().anyMatch(m -> m.type().equals("volume") && m.name().equals(name))) {
                out.add(c.id());
            }
        }
        return out;
    }

    /** Removes a volume no container uses: 409 naming the users otherwise. */
    public void remove(String name) {
        Volume v = store.get(name);
        List<String> users = users(v.name());
        if (!users.isEmpty()) {
            throw DockerApiException.conflict("remove %s: volume is in use - [%s]", name, String.join(", ", users));
        }
        store.remove(v.name());
        events.publish(DockerEvent.now("volume", "destroy", v.name(), Map.of("driver", "local")));
    }

    @Override
    public List<MountPoint> mount(String containerId, ObjectNode config, ObjectNode host) {
        List<MountPoint> out = new ArrayList<>();
        Set<String> destinations = new HashSet<>();
        for (JsonNode b : host.path("Binds")) {
            String[] p = b.asText().split(":");
            if (p.length < 2 || p.length > 3 || p[0].isEmpty()) {
                throw DockerApiException.badRequest("invalid volume specification: '%s' (use name:/path[:ro] or /host:/path[:ro])", b.asText());
            }
            String dest = destination(p[1], b.asText());
            unique(destinations, dest);
            if (p[0].startsWith("/")) {
                continue; // a host bind: the spec's
            }
            String mode = p.length > 2 ? p[2] : "";
            for (String m : mode.split(",")) {
                if (!m.isEmpty() && !Set.of("ro", "rw", "z", "Z", "nocopy", "copy").contains(m)) {
                    throw DockerApiException.badRequest("invalid mode: %s in %s (ro, rw, nocopy, z or Z)", m, b.asText());
                }
            }
            String name = p[0];
            volumeName(name);
            boolean ro = List.of(mode.split(",")).contains("ro");
            out.add(new MountPoint("volume", name, "", dest, mode.isEmpty() ? "z" : mode, !ro, "", false,
                    !List.of(mode.split(",")).contains("nocopy"), List.of()));
        }
        for (JsonNode m : host.path("Mounts")) {
            out.add(fromMount(m, destinations));
        }
        config.path("Volumes").fieldNames().forEachRemaining(path -> {
            String dest = destination(path, path);
            if (destinations.add(dest)) {
                out.add(new MountPoint("volume", "", "", dest, "", true, "", true, true, List.of()));
            }
        });
        // now make the volumes: nothing is made for a request that was refused above
        List<MountPoint> made = new ArrayList<>();
        try {
            for (MountPoint m : out) {
                if (!m.type().equals("volume")) {
                    made.add(m);
                    continue;
                }
                Volume v = m.anonymous() ? anonymous() : create(m.name(), Map.of());
                made.add(new MountPoint("volume", v.name(), v.mountpoint(), m.destination(), m.mode(), m.rw(), m.propagation(),
                        m.anonymous(), m.copyUp(), m.options()));
            }
        } catch (RuntimeException e) {
            release(made, true);
            throw e;
        }
        return made;
    }

    private Volume anonymous() {
        Volume v = store.createAnonymous();
        events.publish(DockerEvent.now("volume", "create", v.name(), Map.of("driver", "local")));
        return v;
    }

    private static void volumeName(String name) {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+")) {
            throw DockerApiException.badRequest("create %s: \"%s\" includes invalid characters for a local volume name, only "
                    + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name, name);
        }
    }

    private static String destination(String dest, String spec) {
        if (!dest.startsWith("/") || dest.equals("/")) {
            throw DockerApiException.badRequest("invalid mount config: the mount destination must be an absolute path other than /: %s", spec);
        }
        return dest.length() > 1 && dest.endsWith("/") ? dest.substring(0, dest.length() - 1) : dest;
    }

    private static void unique(Set<String> destinations, String dest) {
        if (!destinations.add(dest)) {
            throw DockerApiException.badRequest("Duplicate mount point: %s", dest);
        }
    }

    /** One HostConfig.Mounts entry ({@code --mount}). */
    private MountPoint fromMount(JsonNode m, Set<String> destinations) {
        String type = m.path("Type").asText("");
        String target = m.path("Target").asText(m.path("Destination").asText(""));
        if (target.isEmpty()) {
            throw DockerApiException.badRequest("invalid mount config for type \"%s\": field Target must not be empty", type);
        }
        String dest = destination(target, target);
        unique(destinations, dest);
        boolean ro = m.path("ReadOnly").asBoolean(false);
        String source = m.path("Source").asText("");
        return switch (type) {
            case "volume" -> {
                String driver = m.path("VolumeOptions").path("DriverConfig").path("Name").asText("");
                if (!driver.isEmpty() && !driver.equals("local")) {
                    throw DockerApiException.badRequest("invalid mount config for type \"volume\": volume driver %s is not available: only local", driver);
                }
                if (m.path("VolumeOptions").path("DriverConfig").path("Options").size() > 0) {
                    throw DockerApiException.badRequest("invalid mount config for type \"volume\": driver options are not supported by the local driver here");
                }
                if (!source.isEmpty()) {
                    volumeName(source);
                }
                yield new MountPoint("volume", source, "", dest, "", !ro, "", source.isEmpty(),
                        !m.path("VolumeOptions").path("NoCopy").asBoolean(false), List.of());
            }
            case "bind" -> {
                if (!source.startsWith("/")) {
                    throw DockerApiException.badRequest("invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", source);
                }
                if (!Files.exists(Path.of(source))) {
                    throw DockerApiException.badRequest("invalid mount config for type \"bind\": bind source path does not exist: %s", source);
                }
                String prop = m.path("BindOptions").path("Propagation").asText("");
                if (!prop.isEmpty() && !Set.of("rprivate", "private", "rshared", "shared", "rslave", "slave").contains(prop)) {
                    throw DockerApiException.badRequest("invalid mount config for type \"bind\": unknown propagation %s", prop);
                }
                yield new MountPoint("bind", "", source, dest, "", !ro, prop.isEmpty() ? "rprivate" : prop, false, false, List.of());
            }
            case "tmpfs" -> {
                if (!source.isEmpty()) {
                    throw DockerApiException.badRequest("invalid mount config for type \"tmpfs\": field Source must not be specified");
                }
                List<String> opts = new ArrayList<>();
                long size = m.path("TmpfsOptions").path("SizeBytes").asLong(0);
                if (size < 0) {
                    throw DockerApiException.badRequest("invalid mount config for type \"tmpfs\": size cannot be negative");
                }
                if (size > 0) {
                    opts.add("size=" + size);
                }
                int mode = m.path("TmpfsOptions").path("Mode").asInt(0);
                if (mode != 0) {
                    opts.add("mode=" + Integer.toOctalString(mode & 07777));
                }
                yield new MountPoint("tmpfs", "", "", dest, "", !ro, "", false, false, opts);
            }
            default -> throw DockerApiException.badRequest("invalid mount config: mount type %s is not supported (volume, bind or tmpfs)",
                    type.isEmpty() ? "\"\"" : type);
        };
    }

    @Override
    public void populate(LiveContainer c) {
        List<MountPoint> todo = c.doc().mountPoints().stream().filter(m -> m.type().equals("volume") && m.copyUp()).toList();
        if (todo.isEmpty()) {
            return;
        }
        try {
            archive.withRoot(c, root -> {
                for (MountPoint m : todo) {
                    Path data = Path.of(m.source());
                    try (var entries = Files.list(data)) {
                        if (entries.findAny().isPresent()) {
                            continue; // dockerd copies into an empty volume only
                        }
                    }
                    Path src = ContainerArchive.resolve(root, m.destination(), true);
                    if (!src.normalize().startsWith(root) || !Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    TreeCopy.copy(src, data);
                }
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the image's content into the volumes of container " + c.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void release(List<MountPoint> mounts, boolean removeAnonymous) {
        if (!removeAnonymous) {
            return;
        }
        Map<String, Boolean> seen = new HashMap<>();
        for (MountPoint m : mounts) {
            if (!m.type().equals("volume") || !m.anonymous() || m.name().isEmpty() || seen.put(m.name(), true) != null) {
                continue;
            }
            try {
                if (store.find(m.name()).isPresent() && users(m.name()).isEmpty()) {
                    store.remove(m.name());
                    events.publish(DockerEvent.now("volume", "destroy", m.name(), Map.of("driver", "local")));
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "removing anonymous volume " + m.name(), e);
            }
        }
    }
}
