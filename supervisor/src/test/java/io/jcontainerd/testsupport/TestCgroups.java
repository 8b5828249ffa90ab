package io.jcontainerd.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cgroup directories a test made, in every hierarchy mounted under /sys/fs/cgroup (cgroup v1:
 * cpu, memory, pids, name=systemd, the hybrid's unified, ...; v2: the one tree).
 *
 * <p>The runtime makes {@code /<namespace>} (jctr and ctr run's cgroupsPath {@code /<ns>/<id>}) or
 * a pod's cgroup_parent in each hierarchy and, as runc and containerd, keeps it. Names such as
 * {@code /default} and {@code /k8s.io} are shared with every other test running on the machine: a
 * test that must not leave directories behind uses a name of its own ({@link TestNamespaces#unique})
 * and removes only that.
 */
public final class TestCgroups {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private TestCgroups() {
    }

    /** {@code /jcdtest-<prefix>-<random>}: a cgroup parent (a pod's cgroup_parent) no other test uses. */
    public static String uniqueParent(String prefix) {
        return "/jcdtest-" + prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code rel} (a cgroup path such as "/default" or "/kubepods/pod1") in every hierarchy that has it. */
    public static List<Path> existing(String rel) {
        String r = rel.replaceAll("^/+", "");
        List<Path> out = new ArrayList<>();
        for (Path root : roots()) {
            Path d = root.resolve(r);
            if (Files.isDirectory(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Removes {@code rel} and the cgroups below it, deepest first, in every hierarchy (rmdir: a
     * cgroup a process is still in stays). Returns what stayed, each with its error; empty when all went.
     * Only for names the test made its own: never a shared one such as "/default".
     */
    public static List<String> remove(String rel) {
        List<String> left = new ArrayList<>();
        for (Path top : existing(rel)) {
            List<Path> dirs;
            try (Stream<Path> walk = Files.walk(top)) {
                dirs = walk.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
            } catch (IOException e) {
                left.add(top + ": " + e.getMessage());
                continue;
            }
            for (Path d : dirs) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    left.add(d + ": " + e.getMessage());
                }
            }
        }
        return left;
    }

    /** The root of each hierarchy: /sys/fs/cgroup itself on a v2 host, else each mounted directory in it (not symlinks such as cpu,cpuacct). */
    static List<Path> roots() {
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            return List.of(ROOT);
        }
        try (Stream<Path> hierarchies = Files.list(ROOT)) {
            return hierarchies.filter(h -> !Files.isSymbolicLink(h) && Files.isRegularFile(h.resolve("cgroup.procs"))).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list the cgroup hierarchies under " + ROOT + ": " + e.getMessage(), e);
        }
    }
}
