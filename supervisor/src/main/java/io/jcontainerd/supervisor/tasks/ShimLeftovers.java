package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.ttrpc.TtrpcException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * At start-up, what earlier runs of the daemon left in {@code <state>/s} that no task's bundle
 * names: idle shims (a spare, or one that was being retired) are told to exit, since this daemon
 * starts its own spare; sockets nobody answers on and logs of shims that are gone are removed (an
 * idle shim that still runs but no longer answers sees its socket gone and exits by itself). A
 * shim that answers and runs tasks no bundle names is left alone, with a warning.
 */
final class ShimLeftovers {
    private static final Logger LOG = Logger.getLogger(ShimLeftovers.class.getName());

    private ShimLeftovers() {
    }

    static void sweep(ShimLauncher launcher, Collection<Path> inUse) {
        Path dir = launcher.dir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path socket : files.filter(p -> p.toString().endsWith(".sock")).toList()) {
                if (!inUse.contains(socket)) {
                    stop(launcher, socket);
                }
            }
        } catch (IOException e) {
            LOG.warning(() -> "cannot scan " + dir + " for shims left from before: " + e.getMessage());
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                String name = log.getFileName().toString();
                Path socket = log.resolveSibling(name.substring(0, name.length() - ".log".length()) + ".sock");
                if (!Files.exists(socket)) {
                    Shim.deleteQuietly(log);
                }
            }
        } catch (IOException e) {
            LOG.warning(() -> "cannot scan " + dir + " for logs of shims that are gone: " + e.getMessage());
        }
    }

    private static void stop(ShimLauncher launcher, Path socket) {
        Shim shim = launcher.reconnect(socket);
        if (shim == null) {
            Shim.deleteQuietly(socket);
            return;
        }
        int processes;
        try {
            processes = shim.api().withTimeout(Duration.ofSeconds(10)).connect(ConnectRequest.getDefaultInstance())
                    .getProcessesCount();
        } catch (TtrpcException | JcdException e) {
            // it exited between the listing and the call (an idle spare whose daemon died does): nothing to stop
            LOG.info(() -> "shim on " + socket + " left from before did not answer (" + e.getMessage() + "), removing its socket");
            shim.disconnect();
            Shim.deleteQuietly(socket);
            return;
        }
        if (processes > 0) {
            LOG.warning(() -> shim + " on " + socket + " runs " + processes + " process(es) that no task bundle names; "
                    + "leaving it alone");
            shim.disconnect();
            return;
        }
        LOG.info(() -> "stopping idle " + shim + " left from before the daemon started");
        shim.retire();
    }
}
