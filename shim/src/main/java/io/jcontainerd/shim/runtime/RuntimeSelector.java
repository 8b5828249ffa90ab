package io.jcontainerd.shim.runtime;

/**
 * Picks the runtime for a task: the shim's default, or the binary and state root a Create request's
 * {@code containerd.runc.v1.Options} name ({@code binary_name}, {@code root}; empty = default).
 */
@FunctionalInterface
public interface RuntimeSelector {

    OciRuntime select(String binaryName, String root);
}
