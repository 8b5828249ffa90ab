package io.jcontainerd.supervisor.docker.containers;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * docker rm: a running container killed first (with force), then its task, record, snapshot,
 * network, files and FIFOs, its name, and its anonymous volumes when asked. One removal of a
 * container does the work; another asking meanwhile is told so.
 */
final class ContainerRemoval {
    private static final Logger LOG = Logger.getLogger(ContainerRemoval.class.getName());

    private final ContainerManager manager;
    private final Containerd cd;
    private final String snapshotter;
    private final Path fifoDir;
    private final ContainerTable table;
    private final ContainerRuns runs;
    private final ContainerNetworks networks;
    private final ContainerListeners listeners;
    private final Restarts restarts;

    ContainerRemoval(ContainerManager manager, Containerd cd, String snapshotter, Path fifoDir, ContainerTable table,
                     ContainerRuns runs, ContainerNetworks networks, ContainerListeners listeners, Restarts restarts) {
        this.manager = manager;
        this.cd = cd;
        this.snapshotter = snapshotter;
        this.fifoDir = fifoDir;
        this.table = table;
        this.runs = runs;
        this.networks = networks;
        this.listeners = listeners;
        this.restarts = restarts;
    }

    /**
     * Removes a container (a running one only with {@code force}: killed first), its snapshot and its files,
     * and its anonymous volumes with {@code removeVolumes} ({@code rm -v}, {@code --rm}).
     * False when another removal of it is under way or done (that one does the work).
     */
    boolean remove(LiveContainer c, boolean force, boolean removeVolumes) {
        synchronized (c) {
            if (c.removing) {
                return false;
            }
            if (c.running() && !force) {
                throw DockerApiException.conflict("You cannot remove a running container %s. Stop the container before attempting removal or force remove",
                        c.id());
            }
            if (c.doc().state().restarting() && !force) {
                throw DockerApiException.conflict("You cannot remove a restarting container %s. Stop the container before attempting removal or force remove",
                        c.id());
            }
            c.removing = true;
        }
        try {
            killAndDelete(c);
        } catch (RuntimeException e) {
            // a removal that failed leaves the container as it was, removable again (not "in progress" forever)
            synchronized (c) {
                c.removing = false;
            }
            throw e;
        }
        removeSnapshot(c.id());
        networks.tearDown(c.id());
        deleteTree(Path.of(c.doc().runDir()));
        deleteTree(fifoDir.resolve(c.id()));
        table.remove(c);
        manager.volumes().release(c.doc().mountPoints(), removeVolumes);
        c.removed.complete(c.doc().state().exitCode());
        listeners.emit(c, "destroy", Map.of());
        return true;
    }

    /** rm's first half: a running container is SIGKILLed and its exit awaited, then its task and record deleted. */
    private void killAndDelete(LiveContainer c) {
        restarts.forget(c.id());
        CompletableFuture<Integer> exit;
        synchronized (c) {
            // read together: an exit's finishRun ends the running state and swaps in the next exit's future
            // under this lock, so a future taken apart from the check could be the next run's (never completed)
            exit = c.running() ? c.nextExit() : null;
        }
        if (exit != null) {
            c.stopping = true;
            String killFailed = "";
            try {
                runs.signal(c, 9);
            } catch (StatusRuntimeException e) {
                // it may have exited between the check and the kill (testcontainers' kill then rm -f): its exit is awaited below either way
                killFailed = " (the kill was answered " + e.getStatus() + ")";
            }
            listeners.emit(c, "kill", Map.of("signal", "9"));
            if (!ContainerRuns.awaitQuietly(exit, 30)) {
                throw DockerApiException.internal("could not kill running container %s: it did not exit within 30 s of SIGKILL%s", c.id(), killFailed);
            }
        }
        if (!c.taskDeleted) {
            runs.deleteTask(c.id());
        }
        try {
            cd.containers().delete(DeleteContainerRequest.newBuilder().setId(c.id()).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /**
     * A client's {@code DELETE /containers/{ref}}: as dockerd, a second client removing the same
     * container meanwhile gets 409 "removal of container ref is already in progress", and one that
     * comes after it is gone 404 "No such container: ref".
     */
    void removeByClient(String ref, boolean force, boolean removeVolumes) {
        LiveContainer c = table.lookup(ref);
        if (!remove(c, force, removeVolumes)) {
            if (c.removed.isDone()) {
                throw DockerApiException.notFound("No such container: %s", ref);
            }
            throw DockerApiException.conflict("removal of container %s is already in progress", ref);
        }
    }

    /** Removes the container's rootfs snapshot; one already gone is no error, another failure is logged. */
    void removeSnapshot(String id) {
        try {
            cd.snapshots().remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(id).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                LOG.warning(() -> "removing snapshot " + id + ": " + e.getStatus());
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warning(() -> "removing " + dir + ": " + e.getMessage());
        }
    }
}
