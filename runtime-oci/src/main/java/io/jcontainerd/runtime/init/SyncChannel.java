package io.jcontainerd.runtime.init;

/**
 * The init stage's line protocol with the jrunc command that started it (over a socketpair):
 * the command sends the plan; the init stage answers "cgroups" once it has joined the cgroups it joins
 * itself (a create's; with a cgroup namespace to enter it then waits for "resume"), "hooks" (and waits
 * for "resume") when the runtime hooks must run, then "ready" or "error message".
 */
public interface SyncChannel extends AutoCloseable {
    void send(String line);
    String receive();
    @Override void close();
}
