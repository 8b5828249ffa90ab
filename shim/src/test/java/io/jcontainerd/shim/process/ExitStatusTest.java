package io.jcontainerd.shim.process;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExitStatusTest {

    @Test
    void exitCodeComesFromTheHighByteOfTheWaitStatus() {
        assertThat(ExitStatus.fromWaitStatus(10, 3 << 8, Instant.EPOCH).status()).isEqualTo(3);
        assertThat(ExitStatus.fromWaitStatus(10, 0, Instant.EPOCH).status()).isZero();
    }

    @Test
    void deathBySignalIs128PlusTheSignal() {
        assertThat(ExitStatus.fromWaitStatus(10, 9, Instant.EPOCH).status()).isEqualTo(137);
        // SIGSEGV with a core dump: the 0x80 bit is not part of the signal number.
        assertThat(ExitStatus.fromWaitStatus(10, 0x80 | 11, Instant.EPOCH).status()).isEqualTo(139);
    }

    @Test
    void exitStatusFileRoundTripsAndIsAbsentBeforeAnyExit(@TempDir Path bundle) {
        assertThat(ExitStatusFile.read(bundle)).isEmpty();
        ExitStatus exit = new ExitStatus(4242, 137, Instant.parse("2026-11-23T10:00:00.123456789Z"));

        ExitStatusFile.write(bundle, exit);

        assertThat(ExitStatusFile.read(bundle)).contains(exit);
        assertThat(bundle.resolve("exit.status")).content().isEqualTo(
                "{\"pid\":4242,\"status\":137,\"exited_at\":\"2026-11-23T10:00:00.123456789Z\"}\n");
    }

    @Test
    void aDamagedExitStatusFileIsReportedWithItsPath(@TempDir Path bundle) throws Exception {
        Files.writeString(bundle.resolve("exit.status"), "{\"pid\":");

        assertThatThrownBy(() -> ExitStatusFile.read(bundle)).isInstanceOf(JcdException.class)
                .hasMessageContaining(bundle.resolve("exit.status").toString());
    }
}
