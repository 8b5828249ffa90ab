package io.jcontainerd.shim.task;

import io.jcontainerd.shim.io.Stdio;
import io.jcontainerd.shim.process.ExitStatus;

/** What State and Connect report of one process; {@code exit} is null until it has exited. */
public record ProcessView(String execId, int pid, ProcessStatus status, Stdio stdio, ExitStatus exit) {
}
