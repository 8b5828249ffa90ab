package io.jcontainerd.shim.io;

/** The stdio a client asked for, as it sent it (paths or URIs; empty = not connected). */
public record Stdio(String stdin, String stdout, String stderr, boolean terminal) {

    public Stdio {
        stdin = stdin == null ? "" : stdin;
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }
}
