package io.jcontainerd.ctr.run;

import io.jcontainerd.ctr.spec.Spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Resolves a user spec ("name", "uid", "name:group", "uid:gid") against the container's own
 * /etc/passwd and /etc/group, as containerd's oci.WithUser and WithAdditionalGIDs do.
 */
public final class Users {
    private Users() {
    }

    /** @param files reads a file of the container's root filesystem */
    public static Spec.User resolve(String user, Function<String, Optional<String>> files) {
        String u = user.isEmpty() ? "0" : user;
        String[] parts = u.split(":", 2);
        List<String[]> passwd = table(files.apply("/etc/passwd"));
        List<String[]> groups = table(files.apply("/etc/group"));
        long uid;
        long gid;
        String name;
        String[] entry = find(passwd, parts[0], 2);
        if (entry != null) {
            name = entry[0];
            uid = Long.parseLong(entry[2]);
            gid = Long.parseLong(entry[3]);
        } else if (isNumber(parts[0])) {
            uid = Long.parseLong(parts[0]);
            gid = 0;
            name = null;
        } else {
            throw new RunException("user " + parts[0] + " is not in the image's /etc/passwd: give a numeric uid[:gid] instead");
        }
        if (parts.length == 2) {
            String[] g = find(groups, parts[1], 2);
            if (g != null) {
                gid = Long.parseLong(g[2]);
            } else if (isNumber(parts[1])) {
                gid = Long.parseLong(parts[1]);
            } else {
                throw new RunException("group " + parts[1] + " is not in the image's /etc/group: give a numeric gid instead");
            }
        }
        Set<Long> extra = new LinkedHashSet<>();
        extra.add(gid);
        if (name != null) {
            for (String[] g : groups) {
                if (g.length > 3 && List.of(g[3].split(",")).contains(name) && isNumber(g[2])) {
                    extra.add(Long.parseLong(g[2]));
                }
            }
        }
        return new Spec.User(uid, gid, List.copyOf(extra));
    }

    private static String[] find(List<String[]> table, String key, int idField) {
        for (String[] e : table) {
            if (e.length > 3 && (e[0].equals(key) || e[idField].equals(key)) && isNumber(e[idField])) {
                return e;
            }
        }
        return null;
    }

    private static List<String[]> table(Optional<String> text) {
        List<String[]> out = new ArrayList<>();
        text.ifPresent(t -> t.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> out.add(l.split(":", -1))));
        return out;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
