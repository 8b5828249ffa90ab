package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.api.types.Mount;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Docker's {@code User} ("name", "uid", "name:group", "uid:gid") resolved against the
 * container's own /etc/passwd and /etc/group, read from the snapshot's layer directories
 * (upper first) without mounting anything.
 */
public final class ImageUsers {
    /** uid, gid and the supplementary groups. */
    public record Resolved(long uid, long gid, List<Long> additionalGids) {
    }

    private final List<Path> layers;

    public ImageUsers(List<Mount> rootfs) {
        List<Path> l = new ArrayList<>();
        for (Mount m : rootfs) {
            for (String o : m.getOptionsList()) {
                if (o.startsWith("upperdir=")) {
                    l.addFirst(Path.of(o.substring(9)));
                } else if (o.startsWith("lowerdir=")) {
                    for (String d : o.substring(9).split(":")) {
                        l.add(Path.of(d));
                    }
                }
            }
            if (m.getType().equals("bind") || m.getOptionsList().contains("rbind") || m.getOptionsList().contains("bind")) {
                l.add(Path.of(m.getSource()));
            }
        }
        this.layers = l;
    }

    public Resolved resolve(String user, List<String> groupAdd) {
        String[] parts = (user == null || user.isEmpty() ? "0" : user).split(":", 2);
        List<String[]> passwd = table("etc/passwd");
        List<String[]> groups = table("etc/group");
        String[] entry = find(passwd, parts[0]);
        long uid;
        long gid = 0;
        String name = null;
        if (entry != null) {
            name = entry[0];
            uid = Long.parseLong(entry[2]);
            gid = Long.parseLong(entry[3]);
        } else if (number(parts[0])) {
            uid = Long.parseLong(parts[0]);
        } else {
            throw DockerApiException.badRequest("unable to find user %s: no matching entries in the image's /etc/passwd", parts[0]);
        }
        if (parts.length == 2) {
            gid = group(groups, parts[1]);
        }
        Set<Long> extra = new LinkedHashSet<>();
        if (name != null) {
            for (String[] g : groups) {
                if (g.length > 3 && number(g[2]) && List.of(g[3].split(",")).contains(name)) {
                    extra.add(Long.parseLong(g[2]));
                }
            }
        }
        for (String g : groupAdd) {
            extra.add(group(groups, g));
        }
        return new Resolved(uid, gid, List.copyOf(extra));
    }

    private static long group(List<String[]> groups, String g) {
        String[] e = find(groups, g);
        if (e != null) {
            return Long.parseLong(e[2]);
        }
        if (number(g)) {
            return Long.parseLong(g);
        }
        throw DockerApiException.badRequest("unable to find group %s: no matching entries in the image's /etc/group", g);
    }

    private static String[] find(List<String[]> table, String key) {
        for (String[] e : table) {
            if (e.length > 3 && (e[0].equals(key) || e[2].equals(key)) && number(e[2])) {
                return e;
            }
        }
        return null;
    }

    private List<String[]> table(String rel) {
        List<String[]> out = new ArrayList<>();
        for (Path layer : layers) {
            Path p = layer.resolve(rel);
            if (Files.isRegularFile(p)) {
                try {
                    Files.readAllLines(p).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> out.add(l.split(":", -1)));
                } catch (IOException e) {
                    // unreadable: as if absent
                }
                break;
            }
        }
        return out;
    }

    private static boolean number(String s) {
        return !s.isEmpty() && s.length() < 11 && s.chars().allMatch(Character::isDigit);
    }
}
