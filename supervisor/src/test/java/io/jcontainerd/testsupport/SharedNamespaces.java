package io.jcontainerd.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the runtime keeps of the namespaces tests cannot make their own ("k8s.io", the CRI's;
 * "default", ctr's and jctr's without -n): /&lt;ns&gt; in every cgroup hierarchy and /run/jrunc/&lt;ns&gt;.
 * containerd 1.6 and runc keep theirs too (on this host `ctr run --rm` in a new namespace leaves
 * /&lt;ns&gt; in all ten hierarchies and /run/containerd/runc/&lt;ns&gt;, even after `ctr namespaces rm`), so
 * the daemon keeps them and the tests remove them, without taking them from a test that runs at the
 * same time on the machine:
 *
 * <p>every daemon a test starts ({@link DaemonProcess}) holds a shared lock on
 * /run/jcontainerd-test/namespaces/&lt;ns&gt;.lock for each of {@link #NAMES}; the first holder on the
 * machine writes which of the directories were already there to &lt;ns&gt;.found (unless it is there still:
 * the last holder keeps it while a directory the tests made stays); the last one to let go removes the
 * others when they are empty. The locks are fcntl record locks (FileChannel.lock), let go
 * by the kernel when a test JVM dies: byte 0 is a gate held while a holder comes or goes, byte 1 the
 * holders' own. Within one JVM each namespace's lock is taken once and counted.
 */
public final class SharedNamespaces {
    public static final List<String> NAMES = List.of("default", "k8s.io");
    private static final Path LOCKS = Path.of("/run/jcontainerd-test/namespaces");
    private static final Path JRUNC_ROOT = Path.of("/run/jrunc");
    private static final Map<String, Holder> HELD = new HashMap<>();

    private record Holder(FileChannel channel, FileLock users, int count) {
    }

    private SharedNamespaces() {
    }

    /** The directories the runtime makes for {@code ns}: /run/jrunc/&lt;ns&gt; and /&lt;ns&gt; in every cgroup hierarchy. */
    public static List<Path> directories(String ns) {
        List<Path> dirs = new ArrayList<>(List.of(JRUNC_ROOT.resolve(ns)));
        for (Path root : TestCgroups.roots()) {
            dirs.add(root.resolve(ns));
        }
        return dirs;
    }

    /** Takes this JVM's share of every namespace of {@link #NAMES}. */
    public static synchronized void enter() {
        for (String ns : NAMES) {
            Holder h = HELD.get(ns);
            if (h != null) {
                HELD.put(ns, new Holder(h.channel(), h.users(), h.count() + 1));
                continue;
            }
            FileChannel channel = open(ns);
            try (FileLock gate = channel.lock(0, 1, false)) {
                FileLock alone = channel.tryLock(1, 1, false);
                Path found = LOCKS.resolve(ns + ".found");
                if (alone != null) {
                    // kept when the last holder could not remove what tests made (a daemon restarted with its
                    // containers running): those directories are still the tests' to remove
                    if (!Files.exists(found)) {
                        Files.write(found, existing(ns).stream().map(Path::toString).toList());
                    }
                    alone.release();
                }
                // never waits: byte 1 is taken exclusively only under the gate, which this holds
                HELD.put(ns, new Holder(channel, channel.lock(1, 1, true), 1));
            } catch (IOException e) {
                close(channel);
                throw new UncheckedIOException("cannot take the test lock of namespace " + ns + " in " + LOCKS + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Gives this JVM's share back; the last holder on the machine removes the directories of each
     * namespace that were not there when the first came (rmdir: only empty ones go). Returns those
     * that stayed, each with what is in it (a container's cgroup or state left by a test).
     */
    public static synchronized List<String> leave() {
        List<String> left = new ArrayList<>();
        for (String ns : NAMES) {
            Holder h = HELD.remove(ns);
            if (h == null) {
                continue;
            }
            if (h.count() > 1) {
                HELD.put(ns, new Holder(h.channel(), h.users(), h.count() - 1));
                continue;
            }
            try (FileChannel channel = h.channel(); FileLock gate = channel.lock(0, 1, false)) {
                h.users().release();
                FileLock alone = channel.tryLock(1, 1, false);
                if (alone != null) {
                    left.addAll(removeMade(ns));
                    alone.release();
                }
            } catch (IOException e) {
                left.add(LOCKS.resolve(ns + ".lock") + ": " + e.getMessage());
            }
        }
        return left;
    }

    /**
     * The directories of {@code ns} there now, when no test on the machine holds the namespace;
     * empty when one does (its directories are in use), this JVM included.
     */
    public static synchronized Optional<List<Path>> existingWhenIdle(String ns) {
        if (HELD.containsKey(ns)) {
            return Optional.empty();
        }
        try (FileChannel channel = open(ns); FileLock gate = channel.lock(0, 1, false)) {
            FileLock alone = channel.tryLock(1, 1, false);
            if (alone == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(existing(ns));
            } finally {
                alone.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the test lock of namespace " + ns + " in " + LOCKS + ": " + e.getMessage(), e);
        }
    }

    /** rmdir of each directory of {@code ns} the first holder did not find; what stayed, with its content. */
    private static List<String> removeMade(String ns) throws IOException {
        Path foundFile = LOCKS.resolve(ns + ".found");
        if (!Files.exists(foundFile)) {
            return List.of(); // nothing known of what was there before: nothing is removed
        }
        Set<String> found = new HashSet<>(Files.readAllLines(foundFile));
        List<String> left = new ArrayList<>();
        for (Path d : existing(ns)) {
            if (found.contains(d.toString())) {
                continue;
            }
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                left.add(d + " (" + e.getMessage() + "): " + children(d));
            }
        }
        if (left.isEmpty()) {
            Files.deleteIfExists(foundFile);
        }
        return left;
    }

    private static List<Path> existing(String ns) {
        return directories(ns).stream().filter(Files::isDirectory).toList();
    }

    private static List<String> children(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().limit(10).toList();
        } catch (IOException e) {
            return List.of(e.getMessage());
        }
    }

    private static FileChannel open(String ns) {
        try {
            Files.createDirectories(LOCKS);
            return FileChannel.open(LOCKS.resolve(ns + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the test lock of namespace " + ns + " in " + LOCKS + ": " + e.getMessage(), e);
        }
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // the lock goes with the channel either way
        }
    }
}
