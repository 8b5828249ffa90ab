package io.jcontainerd.supervisor.containers;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.Mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Users and groups named in a container's own /etc/passwd and /etc/group, read from its
 * snapshot's layer directories (upper first) without mounting anything. Safe against a hostile
 * image: no symlink is followed (a symlinked etc/ or etc/passwd ends the lookup as if the file were
 * absent, since it would resolve against the host), a whiteout hides the lower layers, and at most
 * {@link #MAX_FILE_BYTES} of a file and {@link #MAX_ENTRIES} entries are read. Used by CRI (run_as_username,
 * the image's user) and the Docker facade ({@code docker run -u}, {@code docker exec -u}, the image's USER).
 */
public final class RootfsUsers {
    public static final int MAX_FILE_BYTES = 4 << 20;
    public static final int MAX_ENTRIES = 65_536;

    /** uid, primary gid and the supplementary groups (from /etc/group membership, then the request's). */
    public record Resolved(long uid, long gid, List<Long> additionalGids) {
    }

    /** A user or group name that is neither in the image's file nor a number; {@code file} is "passwd" or "group". */
    public static final class NotFound extends RuntimeException {
        private final String file;
        private final String name;

        NotFound(String file, String name) {
            super(name + " is not in the image's /etc/" + file);
            this.file = file;
            this.name = name;
        }

        public String file() {
            return file;
        }

        public String name() {
            return name;
        }
    }

    private final List<Path> layers;

    public RootfsUsers(List<Path> layers) {
        this.layers = List.copyOf(layers);
    }

    /** The layer directories of a snapshot's mounts: overlay upperdir then lowerdirs, or a bind's source. */
    public static RootfsUsers of(List<Mount> rootfs) {
        List<Path> l = new ArrayList<>();
        for (Mount m : rootfs) {
            m.option("upperdir").ifPresent(u -> l.add(Path.of(u)));
            m.option("lowerdir").ifPresent(lower -> {
                for (String d : lower.split(":")) {
                    l.add(Path.of(d));
                }
            });
            if (m.type().equals("bind") || m.options().contains("rbind") || m.options().contains("bind")) {
                l.add(Path.of(m.source()));
            }
        }
        return new RootfsUsers(l);
    }

    /**
     * CRI's resolution, failing with CRI's messages.
     *
     * @param who   what the user comes from, for messages ("run_as_username of container x")
     * @param user  a name or a uid
     * @param group a group name or gid overriding the user's primary group, or null
     */
    public Resolved resolve(String who, String user, String group, List<Long> supplemental) {
        try {
            return resolve(user, group, supplemental.stream().map(String::valueOf).toList());
        } catch (NotFound e) {
            if (e.file().equals("passwd")) {
                throw JcdException.invalidArgument("%s: user \"%s\" is not in the image's /etc/passwd: give run_as_user (a uid) or use a user the image has",
                        who, e.name());
            }
            throw JcdException.invalidArgument("%s: group \"%s\" is not in the image's /etc/group", who, e.name());
        }
    }

    /**
     * A user (name or uid) with an optional group (name or gid) overriding its primary group, plus the
     * groups it is a member of in /etc/group, then {@code extraGroups} (names or gids).
     *
     * @throws NotFound when a name is neither in the image's file nor a number
     */
    public Resolved resolve(String user, String group, List<String> extraGroups) {
        String[] entry = find(table("etc/passwd"), user);
        long uid;
        long gid = 0;
        String name = null;
        if (entry != null) {
            name = entry[0];
            uid = Long.parseLong(entry[2]);
            gid = number(entry[3]) ? Long.parseLong(entry[3]) : 0;
        } else if (number(user)) {
            uid = Long.parseLong(user);
        } else {
            throw new NotFound("passwd", user);
        }
        List<String[]> groups = null;
        if (group != null || name != null || !extraGroups.isEmpty()) {
            groups = table("etc/group");
        }
        if (group != null) {
            gid = gid(groups, group);
        }
        Set<Long> extra = new LinkedHashSet<>();
        if (name != null) {
            for (String[] g : groups) {
                if (g.length > 3 && number(g[2]) && List.of(g[3].split(",")).contains(name)) {
                    extra.add(Long.parseLong(g[2]));
                }
            }
        }
        for (String g : extraGroups) {
            extra.add(gid(groups, g));
        }
        return new Resolved(uid, gid, List.copyOf(extra));
    }

    private static long gid(List<String[]> groups, String group) {
        if (number(group)) {
            return Long.parseLong(group);
        }
        String[] g = find(groups, group);
        if (g == null) {
            throw new NotFound("group", group);
        }
        return Long.parseLong(g[2]);
    }

    private static String[] find(List<String[]> table, String key) {
        for (String[] e : table) {
            if (e.length > 3 && number(e[2]) && e[0].equals(key)) {
                return e;
            }
        }
        if (number(key)) {
            for (String[] e : table) {
                if (e.length > 3 && e[2].equals(key)) {
                    return e;
                }
            }
        }
        return null;
    }

    /** The entries of the topmost layer's copy of {@code rel}; empty when absent, whited out or reached through a symlink. */
    private List<String[]> table(String rel) {
        for (Path layer : layers) {
            Lookup found = lookup(layer, rel);
            if (found == Lookup.ABSENT) {
                continue;
            }
            if (found == Lookup.HIDDEN) {
                return List.of();
            }
            return parse(read(layer.resolve(rel)));
        }
        return List.of();
    }

    private enum Lookup { ABSENT, HIDDEN, FILE }

    /** Walks {@code rel} under {@code layer} component by component, following no symlink. */
    private static Lookup lookup(Path layer, String rel) {
        Path p = layer;
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length; i++) {
            p = p.resolve(parts[i]);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return Lookup.ABSENT;
            }
            boolean last = i == parts.length - 1;
            if (a.isSymbolicLink() || a.isOther() || (!last && !a.isDirectory()) || (last && !a.isRegularFile())) {
                return Lookup.HIDDEN; // a whiteout (char device), a symlink or a non-file: nothing usable below it
            }
        }
        return Lookup.FILE;
    }

    private static String read(Path p) {
        try (SeekableByteChannel ch = Files.newByteChannel(p, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), MAX_FILE_BYTES));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // up to the bound
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String[]> parse(String text) {
        List<String[]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (out.size() >= MAX_ENTRIES) {
                break;
            }
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line.split(":", -1));
            }
        }
        return out;
    }

    private static boolean number(String s) {
        return !s.isEmpty() && s.length() < 11 && s.chars().allMatch(c -> c >= '0' && c <= '9') && Long.parseLong(s) <= 0xffffffffL;
    }
}
