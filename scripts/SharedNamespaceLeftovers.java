import io.jcontainerd.testsupport.SharedNamespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The check scripts/test.sh runs around the tests: which cgroups and runtime state directories of the
 * namespaces every test daemon shares ("default", "k8s.io": /&lt;ns&gt; in each cgroup hierarchy,
 * /run/jrunc/&lt;ns&gt;) the run left behind.
 * Usage (classpath: the supervisor's testsupport classes):
 *   java ... SharedNamespaceLeftovers.java list &gt;BEFORE     the directories there now, one a line
 *   java ... SharedNamespaceLeftovers.java check BEFORE     exit 1 naming each one there now and not in BEFORE
 * A namespace a test still holds on the machine (another session's run) is not checked: its
 * directories are in use; this says so.
 */
public final class SharedNamespaceLeftovers {
    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("list")) {
            for (String ns : SharedNamespaces.NAMES) {
                SharedNamespaces.directories(ns).stream().filter(Files::isDirectory).forEach(System.out::println);
            }
            return;
        }
        if (args.length != 2 || !args[0].equals("check")) {
            System.err.println("usage: SharedNamespaceLeftovers list | check BEFORE");
            System.exit(2);
        }
        Set<String> before = new HashSet<>(Files.readAllLines(Path.of(args[1])));
        List<String> left = new ArrayList<>();
        for (String ns : SharedNamespaces.NAMES) {
            Optional<List<Path>> now = SharedNamespaces.existingWhenIdle(ns);
            if (now.isEmpty()) {
                System.err.println("test: namespace " + ns + " is in use by a test still running on this machine: its leftovers are not checked");
                continue;
            }
            now.get().stream().map(Path::toString).filter(d -> !before.contains(d)).forEach(left::add);
        }
        if (!left.isEmpty()) {
            System.err.println("test: the run left " + left.size() + " directories of namespaces " + SharedNamespaces.NAMES
                    + " that were not there before it (a test ran containers in a shared namespace and did not remove what the runtime"
                    + " keeps of it; see SharedNamespaces):");
            left.forEach(d -> System.err.println("  " + d));
            System.exit(1);
        }
        System.err.println("test: no cgroup or runtime state directory of namespaces " + SharedNamespaces.NAMES + " left by the run");
    }
}
