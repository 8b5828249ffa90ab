package io.jcontainerd.supervisor.docker.exec;

import io.jcontainerd.supervisor.docker.containers.ConsoleSize;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** One {@code docker exec}: what was asked at create, and how it went once started. */
final class ExecSession {
    final String id;
    final String containerId;
    final List<String> cmd;
    final boolean tty;
    final boolean stdin;
    final boolean stdout;
    final boolean stderr;
    final List<String> env;
    final String user;
    final String workingDir;
    final boolean privileged;
    volatile boolean started;
    volatile boolean running;
    volatile long pid;
    volatile Integer exitCode;
    /** The pty's size at start: the exec create's ConsoleSize, replaced by the exec start's if that has one. */
    volatile ConsoleSize consoleSize;
    /** Counted down once start has launched the process or failed to: a resize waits for it, as dockerd's does. */
    final CountDownLatch launched = new CountDownLatch(1);

    ExecSession(String id, String containerId, List<String> cmd, boolean tty, boolean stdin, boolean stdout, boolean stderr,
                List<String> env, String user, String workingDir, boolean privileged) {
        this.id = id;
        this.containerId = containerId;
        this.cmd = List.copyOf(cmd);
        this.tty = tty;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.env = List.copyOf(env);
        this.user = user;
        this.workingDir = workingDir;
        this.privileged = privileged;
    }
}
