package io.jcontainerd.shim.process;

import java.time.Instant;

/**
 * How a process ended: its exit code, or 128 + the signal that killed it (the convention of shells
 * and of containerd's runc shim), and when the shim saw it.
 */
public record ExitStatus(int pid, int status, Instant exitedAt) {

    /** Decodes a raw waitpid(2) status word. */
    public static ExitStatus fromWaitStatus(int pid, int waitStatus, Instant exitedAt) {
        int termSignal = waitStatus & 0x7f;
        int status = termSignal == 0 ? (waitStatus >> 8) & 0xff : 128 + termSignal;
        return new ExitStatus(pid, status, exitedAt);
    }
}
