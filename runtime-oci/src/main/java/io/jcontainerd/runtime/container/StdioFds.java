package io.jcontainerd.runtime.container;

/**
 * The descriptors a container process gets as its stdin, stdout and stderr. The jrunc command passes
 * its own ({@link #INHERITED}); a process embedding the library passes the container's pipes, FIFOs
 * or files.
 */
public record StdioFds(int stdin, int stdout, int stderr) {
    public static final StdioFds INHERITED = new StdioFds(0, 1, 2);
}
