package io.jcontainerd.snapshot.perf;

import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.driver.OverlaySnapshotter;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Prepare + mount + unmount + remove of an overlay snapshot on a 5-layer image: the median of 100. */
class OverlayLatencyIT {

    @Test
    void prepareMountRemoveMedianOfAHundred() throws IOException {
        assertThat(Syscalls.linux().effectiveUid()).as("mounting overlays needs root").isZero();
        Path tmp = Files.createTempDirectory(Path.of("/var/tmp"), "overlay-latency-");
        Mounter mounter = Mounter.linux();
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        try (OverlaySnapshotter s = new OverlaySnapshotter(tmp.resolve("root"))) {
            String parent = "";
            for (int i = 0; i < 5; i++) {
                List<Mount> m = s.prepare("l" + i + "-active", parent, Map.of());
                Files.writeString(Path.of(m.getFirst().options().stream().filter(o -> o.startsWith("upperdir="))
                        .map(o -> o.substring(9)).findFirst().orElse(m.getFirst().source())).resolve("f" + i), "x");
                s.commit("l" + i, "l" + i + "-active", Map.of());
                parent = "l" + i;
            }
            long[] nanos = new long[120];
            for (int i = 0; i < nanos.length; i++) {
                long start = System.nanoTime();
                List<Mount> mounts = s.prepare("container-" + i, parent, Map.of("containerd.io/gc.root", "x"));
                mounter.mountAll(mounts, mnt);
                mounter.unmountAll(mnt);
                s.remove("container-" + i);
                nanos[i] = System.nanoTime() - start;
            }
            long[] measured = Arrays.copyOfRange(nanos, 20, 120); // the first 20 warm the JIT up
            Arrays.sort(measured);
            double median = measured[50] / 1e6;
            System.out.printf("overlay prepare+mount+unmount+remove: median %.2f ms, p90 %.2f ms (100 runs)%n",
                    median, measured[90] / 1e6);
            List<String> left = new java.util.ArrayList<>();
            s.walk(i -> left.add(i.name()), "name~=^container");
            assertThat(left).as("every container snapshot was removed").isEmpty();
        } finally {
            mounter.unmountAll(mnt);
            FileTrees.deleteRecursively(tmp);
        }
    }
}
