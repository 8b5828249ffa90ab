package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import io.jcontainerd.snapshot.Mount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What happens when the disk fills up during an apply: a real 1 MiB tmpfs, as root. */
class LayerApplierLimitsIT {
    private final Mounter mounter = Mounter.linux();
    private Path tmp;
    private Path small;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(Syscalls.linux().effectiveUid()).as("mounting a tmpfs needs root").isZero();
        tmp = Files.createTempDirectory("apply-limits-");
        small = Files.createDirectory(tmp.resolve("small"));
        mounter.mount(new Mount("tmpfs", "tmpfs", "", List.of("size=1m", "mode=0755")), small);
    }

    @AfterEach
    void tearDown() throws IOException {
        mounter.unmountAll(small);
        FileTrees.deleteRecursively(tmp);
    }

    @Test
    void aFullDiskFailsWithAClearErrorNamingTheEntry() {
        byte[] incompressible = new byte[3 << 20];
        new Random(42).nextBytes(incompressible);
        byte[] layer = TestLayer.tar().file("small", "ok").file("var/lib/huge.bin", incompressible, 0644).gzip();

        assertThatThrownBy(() -> new LayerApplier().apply(new ByteArrayInputStream(layer), Compression.GZIP, small, WhiteoutMode.OVERLAY))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("no space left on device")
                .hasMessageContaining("var/lib/huge.bin")
                .hasMessageContaining(small.toString());
    }

    @Test
    void deviceNodesAreRefusedWhenNotRoot() {
        Syscalls notRoot = new DelegatingSyscalls(Syscalls.linux()) {
            @Override
            public int effectiveUid() {
                return 1000;
            }
        };
        byte[] layer = TestLayer.tar().file("ok", "ok").charDevice("dev/null", 1, 3, 0666).bytes();
        assertThatThrownBy(() -> new LayerApplier(notRoot).apply(new ByteArrayInputStream(layer), Compression.NONE, small, WhiteoutMode.DELETE))
                .isInstanceOf(JcdException.class)
                .hasMessageContaining("dev/null").hasMessageContaining("only root");
        assertThat(small.resolve("dev/null")).doesNotExist();
    }
}
