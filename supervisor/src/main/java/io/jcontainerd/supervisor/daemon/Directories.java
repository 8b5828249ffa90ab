package io.jcontainerd.supervisor.daemon;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.FileModes;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Creates the daemon's directories with containerd's modes, proves they are writable before anything else
 * starts, and closes what an older version (or a hand) left open: root and state 0711, meta/, content/,
 * snapshots/, the shims' s/ and tmpmounts/ 0700, tasks/ and tasks/&lt;ns&gt;/ 0711, every bundle 0700 and the
 * files in it 0600. A user who is not root can then read no spec and reach no rootfs or image layer.
 */
public final class Directories {
    private Directories() {
    }

    public static void prepareWritable(String what, Path dir) {
        try {
            FileModes.directory(dir, FileModes.TRAVERSE_ONLY);
            Path probe = Files.createTempFile(dir, ".write-probe", "");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            throw JcdException.failedPrecondition("%s directory %s is not writable (%s): fix its permissions or choose another with --%s",
                    what, dir, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), what);
        }
    }

    /** The modes below root and state; run before any store opens. */
    public static void tighten(DaemonConfig config) {
        Path at = config.root();
        try {
            for (Path store : new Path[] {config.metadataDir(), config.contentDir(), config.root().resolve("snapshots"),
                    config.state().resolve("s"), config.state().resolve("tmpmounts")}) {
                at = store;
                FileModes.directory(store, FileModes.PRIVATE_DIR);
            }
            Path tasks = config.state().resolve("tasks");
            at = tasks;
            FileModes.directory(tasks, FileModes.TRAVERSE_ONLY);
            for (Path ns : directories(tasks)) {
                at = ns;
                FileModes.directory(ns, FileModes.TRAVERSE_ONLY);
                for (Path bundle : directories(ns)) {
                    at = bundle;
                    FileModes.directory(bundle, FileModes.PRIVATE_DIR);
                    for (Path f : entries(bundle)) {
                        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) FileModes.privateFile(f);
                    }
                }
            }
            for (Path f : entries(config.state().resolve("s"))) {
                if (f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) FileModes.privateFile(f);
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot give %s its mode (%s): check the file system under %s and %s",
                    at, e.getMessage(), config.root(), config.state());
        }
    }

    private static java.util.List<Path> directories(Path dir) throws IOException {
        return entries(dir).stream().filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }

    private static java.util.List<Path> entries(Path dir) throws IOException {
        java.util.List<Path> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return out;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        }
        return out;
    }
}
