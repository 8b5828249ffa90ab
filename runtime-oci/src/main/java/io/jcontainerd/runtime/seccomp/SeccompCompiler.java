package io.jcontainerd.runtime.seccomp;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Seccomp;

/** Compiles an OCI seccomp profile into a classic BPF program (struct sock_filter[]). */
public final class SeccompCompiler {
    private SeccompCompiler() {}

    public static byte[] compile(Seccomp profile) {
        throw JruncException.invalidArgument("config.json: linux.seccomp is not supported by this jrunc build yet; remove it");
    }
}
