package io.jcontainerd.runtime.container;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an exec finds the container's mount and cgroup namespaces. Until the init stage execs the user's
 * program only its exec thread is in them; /proc/&lt;pid&gt;/ns/* shows the JVM's main thread, which stays in
 * the launch jail (a created container). After the execve that thread holds the pid.
 */
final class InitThread {
    private InitThread() {}

    /** "/proc/&lt;pid&gt;/task/&lt;tid&gt;" of the one thread in another mount namespace than the leader, else "/proc/&lt;pid&gt;". */
    static String procDir(int pid) {
        Path proc = Path.of("/proc/" + pid);
        String leader = mountNs(proc);
        if (leader == null) return proc.toString();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                String ns = mountNs(task);
                if (ns != null && !ns.equals(leader)) return task.toString();
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // the process is exiting or exec'ing: its own /proc/<pid>/ns is what there is
        }
        return proc.toString();
    }

    private static String mountNs(Path dir) {
        try {
            return Files.readSymbolicLink(dir.resolve("ns/mnt")).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
