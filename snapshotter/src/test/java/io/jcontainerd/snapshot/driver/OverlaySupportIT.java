package io.jcontainerd.snapshot.driver;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlaySupportIT {
    private final Mounter mounter = Mounter.linux();

    @Test
    void overlayWorksOnTheTemporaryDirectoryAndLeavesNothingBehind() throws IOException {
        assertThat(Syscalls.linux().effectiveUid()).as("mounting needs root").isZero();
        Path root = Files.createTempDirectory("overlay-support-");
        try {
            assertThatCode(() -> OverlaySupport.check(root, mounter)).doesNotThrowAnyException();
            try (var left = Files.list(root)) {
                assertThat(left).isEmpty();
            }
        } finally {
            FileTrees.deleteRecursively(root);
        }
    }

    @Test
    void aMounterThatCannotMountOverlaysIsReportedWithTheReason() throws IOException {
        Path root = Files.createTempDirectory("overlay-support-");
        Mounter refusing = new Mounter() {
            @Override
            public void mount(Mount mount, Path mountPoint) {
                throw new IllegalStateException("unknown filesystem type 'overlay'");
            }

            @Override
            public void unmountAll(Path mountPoint) {
            }
        };
        try {
            assertThatThrownBy(() -> OverlaySupport.check(root, refusing))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessageContaining("unknown filesystem type").hasMessageContaining("native");
        } finally {
            FileTrees.deleteRecursively(root);
        }
    }
}
