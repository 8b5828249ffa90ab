package io.jcontainerd.ctr.run;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.ctr.stdio.FifoSet;
import io.jcontainerd.ctr.stdio.StdioCopier;
import io.jcontainerd.ctr.stdio.Terminal;

import java.nio.file.Path;
import java.util.List;

/**
 * Creates and starts a container's task with FIFO stdio, detached or attached to ours; its calls go on the wire
 * ({@link TaskWire}, {@link RunWire}), except the Tasks/Get of {@link #deleteStoppedTask} (containers rm).
 */
public final class TaskLauncher {
    private final Stubs stubs;
    private final Path fifoBase;

    public TaskLauncher(Stubs stubs, Path fifoDir) {
        this.stubs = stubs;
        this.fifoBase = fifoDir == null ? FifoSet.DEFAULT_DIR : fifoDir;
    }

    /**
     * Creates and starts the task and leaves it running. Its FIFOs stay for {@code tasks attach};
     * {@code tasks rm} removes them.
     */
    public void startDetached(String id, List<RootfsMount> rootfs, boolean terminal) {
        FifoSet fifos = FifoSet.create(fifoBase, id, terminal);
        // containerd's shim opens the FIFOs in blocking mode: hold our ends open until the task runs, as ctr does.
        try (var held = fifos.holdOpen()) {
            create(id, rootfs, fifos, terminal);
            TaskWire.start(stubs.connection(), id, "");
        } catch (RuntimeException e) {
            fifos.delete();
            throw e;
        }
    }

    /** Runs the task to its end with our stdio, deletes it, and returns its exit status. */
    public int runAttached(String id, List<RootfsMount> rootfs, boolean terminal) {
        FifoSet fifos = FifoSet.create(fifoBase, id, terminal);
        try (Terminal tty = terminal ? Terminal.raw() : null) {
            StdioCopier copier = StdioCopier.start(fifos, true);
            create(id, rootfs, fifos, terminal);
            try {
                return new AttachedProcess(stubs.connection(), id, "").startAndWait(copier, terminal);
            } finally {
                deleteTask(id);
            }
        } finally {
            fifos.delete();
        }
    }

    private void create(String id, List<RootfsMount> rootfs, FifoSet fifos, boolean terminal) {
        TaskWire.create(stubs.connection(), id, rootfs,
                new TaskWire.Stdio(fifos.stdin().toString(), fifos.stdout().toString(), fifos.stderrPath(), terminal));
    }

    void deleteTask(String id) {
        try {
            TaskWire.delete(stubs.connection(), id);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /** Removes the container and its snapshot, as ctr's container.Delete(WithSnapshotCleanup). */
    public void removeContainer(String id, String snapshotter) {
        removeSnapshot(snapshotter, id);
        RunWire.deleteContainer(stubs.connection(), id);
    }

    public void removeSnapshot(String snapshotter, String key) {
        try {
            RunWire.removeSnapshot(stubs.connection(), snapshotter, key);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /**
     * Before a container is deleted: deletes its task if it has stopped (or never started) and
     * refuses while it runs, as ctr's containers rm does.
     */
    public void deleteStoppedTask(String id) {
        Process p;
        try {
            p = stubs.tasks().get(GetRequest.newBuilder().setContainerId(id).build()).getProcess();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return;
            }
            throw e;
        }
        var st = p.getStatus();
        if (st != io.jcontainerd.api.types.task.Status.STOPPED && st != io.jcontainerd.api.types.task.Status.CREATED) {
            throw new RunException("cannot delete a non stopped container " + id + ": its task is "
                    + st.name().toLowerCase(java.util.Locale.ROOT) + " (stop it with `jctr tasks kill " + id + "`)");
        }
        deleteTask(id);
        FifoSet.deleteFor(p.getStdout());
    }
}
