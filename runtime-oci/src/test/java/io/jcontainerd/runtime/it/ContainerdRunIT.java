package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's containerd 1.6 drives jrunc through its runc v2 shim: `ctr run --runc-binary bin/jrunc`.
 *
 * <p>In a namespace of the test's own: as with runc, a run leaves /&lt;namespace&gt; in every cgroup
 * hierarchy (the parent of /&lt;namespace&gt;/&lt;id&gt;) and the shim's runtime root
 * /run/containerd/runc/&lt;namespace&gt;, both shared by every containerd on the host; in "default" they
 * stayed after every run. {@link #tearDown} removes them and fails when they are not empty.
 */
class ContainerdRunIT {
    private static final Path RUNC_ROOTS = Path.of("/run/containerd/runc");
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    final String ns = "jcdtest-ctrd-" + UUID.randomUUID().toString().substring(0, 8);
    Path work;
    Process containerd;

    @BeforeEach
    void setUp() throws Exception {
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/umoci")) {
            if (!Files.isExecutable(Path.of(tool))) throw new IllegalStateException(tool + " is missing: apt-get install containerd umoci");
        }
        work = Files.createTempDirectory("jrunc-ctr-");
        // a one-layer busybox image, built with umoci and imported into a private containerd
        sh("umoci init --layout img && umoci new --image img:bb && umoci unpack --image img:bb bundle"
                + " && mkdir -p bundle/rootfs/bin && cp /bin/busybox bundle/rootfs/bin/"
                + " && for a in sh echo true; do ln -s busybox bundle/rootfs/bin/$a; done"
                + " && umoci repack --image img:bb bundle && (cd img && tar -cf ../img.tar .)");
        Files.writeString(work.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%1$s/c.sock"
                """.formatted(work));
        containerd = new ProcessBuilder("containerd", "--config", work.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("containerd.log").toFile()).start();
        for (int i = 0; i < 100 && !Files.exists(work.resolve("c.sock")); i++) Thread.sleep(100);
        sh("ctr -a c.sock -n " + ns + " images import --index-name docker.io/library/bb:latest img.tar");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (containerd != null) {
                containerd.destroy();
                if (!containerd.waitFor(10, TimeUnit.SECONDS)) containerd.destroyForcibly().waitFor();
            }
        } finally {
            new ProcessBuilder("sh", "-c", "grep -o ' " + work + "[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l").start().waitFor();
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
            assertThat(removeNamespaceDirectories()).as("cgroups and runtime state left of namespace " + ns).isEmpty();
        }
    }

    /** rmdir of /run/containerd/runc/&lt;ns&gt; and of /&lt;ns&gt; in each cgroup hierarchy; returns those that stayed, with why. */
    private List<String> removeNamespaceDirectories() throws Exception {
        List<Path> dirs = new ArrayList<>(List.of(RUNC_ROOTS.resolve(ns)));
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            hierarchies.filter(h -> Files.isDirectory(h) && !Files.isSymbolicLink(h)).forEach(h -> dirs.add(h.resolve(ns)));
        }
        dirs.add(CGROUPS.resolve(ns));
        List<String> left = new ArrayList<>();
        for (Path d : dirs) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                left.add(d + ": " + e);
            }
        }
        return left;
    }

    private String sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).directory(work.toFile()).redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) throw new AssertionError(script + " hung");
        if (p.exitValue() != 0 && !script.startsWith("ctr -a c.sock -n " + ns + " run")) throw new AssertionError(script + " failed: " + out);
        return out + "\nexit=" + p.exitValue();
    }

    @Test
    void ctrRunWithJruncAsTheRuncBinaryPrintsHelloAndPassesTheExitCode() throws Exception {
        String jrunc = Jrunc.LAUNCHER.toString();
        assertThat(sh("ctr -a c.sock -n " + ns + " run --rm --runc-binary " + jrunc + " docker.io/library/bb:latest hello-1 /bin/echo hello"))
                .isEqualTo("hello\n\nexit=0");
        assertThat(sh("ctr -a c.sock -n " + ns + " run --rm --runc-binary " + jrunc + " docker.io/library/bb:latest exit-1 /bin/sh -c 'exit 3'"))
                .endsWith("exit=3");
    }
}
