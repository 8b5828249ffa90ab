package io.jcontainerd.supervisor.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this daemon is, for Introspection.Server: the persisted UUID, our pid and pid namespace inode. */
public record ServerIdentity(String uuid, long pid, long pidNamespace) {

    public static ServerIdentity current(String uuid) {
        return new ServerIdentity(uuid, ProcessHandle.current().pid(), pidNamespaceInode());
    }

    private static long pidNamespaceInode() {
        try {
            Object ino = Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
            return ((Number) ino).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }
}
