package io.jcontainerd.supervisor.cri;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PauseProcessTest {
    @Test
    void aRunningProcessIsAliveWithTheStartTimeItWasSeenWith() {
        int self = (int) ProcessHandle.current().pid();
        PauseProcess p = PauseProcess.of(self).orElseThrow();
        assertThat(p.pid()).isEqualTo(self);
        assertThat(p.startTime()).isPositive();
        assertThat(p.alive()).isTrue();
    }

    @Test
    void aPidNowHeldByAnotherProcessIsNotTheSameProcess() {
        int self = (int) ProcessHandle.current().pid();
        long start = PauseProcess.of(self).orElseThrow().startTime();
        assertThat(new PauseProcess(self, start + 1).alive()).isFalse();
    }

    @Test
    void aProcessThatExitedIsNotAliveAndAMissingPidIsNothing() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            PauseProcess p = PauseProcess.of((int) sleep.pid()).orElseThrow();
            assertThat(p.alive()).isTrue();
            sleep.destroyForcibly().waitFor();
            assertThat(p.alive()).isFalse();
            assertThat(PauseProcess.of((int) sleep.pid())).isEmpty();
        } finally {
            sleep.destroyForcibly();
        }
        assertThat(PauseProcess.of(0)).isEmpty();
        assertThat(PauseProcess.of(-1)).isEmpty();
    }
}
