package io.jcontainerd.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * containerd namespaces of a test's own. A container run in namespace {@code ns} leaves, as with
 * containerd and runc, {@code /<ns>} in every cgroup hierarchy (the parent of its cgroup) and the
 * runtime's state directory /run/jrunc/&lt;ns&gt;; both are shared by every daemon on the machine, so
 * a test removes them only for a namespace no other test uses.
 */
public final class TestNamespaces {
    private static final Path JRUNC_ROOT = Path.of("/run/jrunc");

    private TestNamespaces() {
    }

    /** {@code jcdtest-<prefix>-<random>}: a valid containerd namespace no other test uses. */
    public static String unique(String prefix) {
        return "jcdtest-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Removes what the runtime keeps of {@code ns} once its containers are gone: its cgroups
     * ({@link TestCgroups#remove}) and its empty /run/jrunc/&lt;ns&gt;. Returns what stayed, each with
     * its error (a container still there); empty when everything went. Only for a namespace of
     * {@link #unique}: never a shared one such as "default".
     */
    public static List<String> remove(String ns) {
        if (!ns.startsWith("jcdtest-")) {
            throw new IllegalArgumentException("namespace " + ns + " may be another test's: only jcdtest-* namespaces are removed");
        }
        List<String> left = new ArrayList<>(TestCgroups.remove("/" + ns));
        try {
            Files.deleteIfExists(JRUNC_ROOT.resolve(ns));
        } catch (IOException e) {
            left.add(JRUNC_ROOT.resolve(ns) + ": " + e);
        }
        return left;
    }
}
