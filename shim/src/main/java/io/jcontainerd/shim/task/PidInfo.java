package io.jcontainerd.shim.task;

/** One process of the container; {@code execId} names the exec it was started as, empty otherwise. */
public record PidInfo(int pid, String execId) {
}
