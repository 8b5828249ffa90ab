package io.jcontainerd.supervisor.docker.containers;

/** Where a process's output goes as it comes: stream 1 stdout, 2 stderr (with a TTY all is stdout). */
public interface OutputSink {
    void output(int stream, byte[] data);

    /** Both streams reached their end (the process exited and its output was read). */
    void end();
}
