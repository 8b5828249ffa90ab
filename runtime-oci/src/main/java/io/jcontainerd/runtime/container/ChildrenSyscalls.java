package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.linux.JnaSyscalls;

import java.time.Duration;
import java.util.List;

/** The system calls of hooks run on the host: each child is started and reaped through {@link Children}. */
final class ChildrenSyscalls extends JnaSyscalls {
    private final Children children;

    ChildrenSyscalls(Children children) { this.children = children; }

    @Override public int spawn(String path, List<String> argv, List<String> env, int stdin, int stdout, int stderr) {
        return children.spawn(() -> super.spawn(path, argv, env, stdin, stdout, stderr));
    }

    @Override public int waitpid(int pid, long timeoutMillis) {
        return timeoutMillis < 0 ? children.await(pid) : children.await(pid, Duration.ofMillis(timeoutMillis)).orElse(-1);
    }
}
