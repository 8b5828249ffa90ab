package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Debian's containerd 1.6 drives jrunc through its runc v2 shim: `ctr run --runc-binary bin/jrunc`. */
class ContainerdRunIT {
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
        sh("ctr -a c.sock images import --index-name docker.io/library/bb:latest img.tar");
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
        }
    }

    private String sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).directory(work.toFile()).redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) throw new AssertionError(script + " hung");
        if (p.exitValue() != 0 && !script.startsWith("ctr -a c.sock run")) throw new AssertionError(script + " failed: " + out);
        return out + "\nexit=" + p.exitValue();
    }

    @Test
    void ctrRunWithJruncAsTheRuncBinaryPrintsHelloAndPassesTheExitCode() throws Exception {
        String jrunc = Jrunc.LAUNCHER.toString();
        assertThat(sh("ctr -a c.sock run --rm --runc-binary " + jrunc + " docker.io/library/bb:latest hello-1 /bin/echo hello"))
                .isEqualTo("hello\n\nexit=0");
        assertThat(sh("ctr -a c.sock run --rm --runc-binary " + jrunc + " docker.io/library/bb:latest exit-1 /bin/sh -c 'exit 3'"))
                .endsWith("exit=3");
    }
}
