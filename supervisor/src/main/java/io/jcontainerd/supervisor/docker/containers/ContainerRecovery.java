package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.ListContainersRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.leases.v1.ListRequest;
import io.jcontainerd.api.services.snapshots.v1.Info;
import io.jcontainerd.api.services.snapshots.v1.Kind;
import io.jcontainerd.api.services.snapshots.v1.ListSnapshotsRequest;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.supervisor.docker.Containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The facade's containers found again after a daemon start: documents from the metadata; a task
 * still running gets its output readers and exit watcher back, one that ended while the daemon
 * was away is recorded as exited with its status; what creates cut short by a crash left is
 * removed; restart policies that start containers at the daemon's start are applied.
 */
final class ContainerRecovery {
    private static final Logger LOG = Logger.getLogger(ContainerRecovery.class.getName());
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");

    private final Containerd cd;
    private final String snapshotter;
    private final Path containersDir;
    private final Path fifoDir;
    private final Networking networking;
    private final ContainerTable table;
    private final ContainerDocuments documents;
    private final ContainerRuns runs;
    private final ContainerRemoval removal;
    private final Restarts restarts;

    ContainerRecovery(Containerd cd, String snapshotter, Path containersDir, Path fifoDir, Networking networking,
                      ContainerTable table, ContainerDocuments documents, ContainerRuns runs, ContainerRemoval removal,
                      Restarts restarts) {
        this.cd = cd;
        this.snapshotter = snapshotter;
        this.containersDir = containersDir;
        this.fifoDir = fifoDir;
        this.networking = networking;
        this.table = table;
        this.documents = documents;
        this.runs = runs;
        this.removal = removal;
        this.restarts = restarts;
    }

    void recover() {
        for (Container c : cd.containers().list(ListContainersRequest.getDefaultInstance()).getContainersList()) {
            Optional<ContainerDocument> doc;
            try {
                doc = ContainerDocuments.of(c);
            } catch (IOException e) {
                LOG.warning(() -> "container " + c.getId() + " has an unreadable docker document, skipped: " + e.getMessage());
                continue;
            }
            if (doc.isEmpty()) {
                continue;
            }
            LiveContainer live = new LiveContainer(doc.get());
            table.addRecovered(live);
            recoverRun(live);
        }
        for (LiveContainer c : table.all()) {
            if (c.doc().networks() == null) { // written before the networks were kept: from its endpoints, or its mode
                ContainerDocument d = c.doc();
                List<NetworkAttachment> nets;
                try {
                    nets = networking.sandbox(d.id()).filter(s -> !s.endpoints().isEmpty())
                            .map(s -> s.endpoints().stream().map(e -> new NetworkAttachment(e.network(), e.networkId(), e.aliases())).toList())
                            .orElseGet(() -> networking.initial(CreateRequest.networkMode(d.config(), d.hostConfig()), JsonNodeFactory.instance.objectNode()));
                } catch (RuntimeException e) {
                    nets = List.of();
                }
                c.doc(d.withNetworks(nets));
                documents.persist(c);
            }
        }
        // networks of containers removed or stopped while the daemon was away (other namespaces' are not
        // ours to judge): as dockerd, a container has its endpoints only while it runs
        networking.manager().tearDownUnless(s -> !s.namespace().equals(cd.namespace()) || table.running(s.containerId()));
        // a container that does not run has no network (each start sets it up again): a pin of one is a cut-short set-up
        networking.manager().removeUnrecorded(cd.namespace(), table::running)
                .forEach(id -> LOG.info(() -> "removed the network namespace of container " + id + " whose create a daemon crash cut short"));
        removeOrphans();
        for (LiveContainer c : List.copyOf(table.all())) {
            ContainerDocument d = c.doc();
            ContainerState st = d.state();
            boolean startedBefore = !st.startedAt().equals(ContainerState.ZERO_TIME);
            if (!c.running() && startedBefore && !c.removing
                    && d.restartPolicy().restartsAtDaemonStart(st.exitCode(), d.manuallyStopped(), d.restartCount())) {
                LOG.info(() -> "restart policy " + d.restartPolicy().name() + ": starting container " + d.id() + " again");
                restarts.schedule(c, Duration.ZERO, true);
            }
        }
    }

    /**
     * What a create or start cut short by a daemon crash left behind (nothing else runs while the
     * daemon starts): the create's lease, the active snapshot named for a container that was never
     * recorded, its directory, FIFO directories of runs that never started.
     */
    private void removeOrphans() {
        try {
            for (var l : cd.leases().list(ListRequest.getDefaultInstance()).getLeasesList()) {
                if (l.getId().startsWith("docker-create-")) {
                    cd.leases().delete(DeleteRequest.newBuilder().setId(l.getId()).build());
                }
            }
            var pages = cd.snapshots().list(ListSnapshotsRequest.newBuilder().setSnapshotter(snapshotter).build());
            List<String> orphans = new ArrayList<>();
            pages.forEachRemaining(page -> page.getInfoList().stream()
                    .filter(i -> i.getKind() == Kind.ACTIVE)
                    .map(Info::getName)
                    .filter(n -> CONTAINER_ID.matcher(n).matches() && !table.contains(n)).forEach(orphans::add));
            for (String key : orphans) {
                LOG.info(() -> "removing snapshot " + key + " of a container whose create a daemon crash cut short");
                removal.removeSnapshot(key);
            }
        } catch (StatusRuntimeException e) {
            LOG.warning(() -> "looking for what interrupted creates left: " + e.getStatus());
        }
        for (Path dir : children(containersDir)) {
            if (!table.contains(dir.getFileName().toString())) {
                ContainerRemoval.deleteTree(dir);
            }
        }
        for (Path dir : children(fifoDir)) {
            LiveContainer c = table.get(dir.getFileName().toString());
            if (c == null) {
                ContainerRemoval.deleteTree(dir);
                continue;
            }
            for (Path run : children(dir)) {
                if (!run.toString().equals(c.doc().stdioDir())) {
                    ContainerRemoval.deleteTree(run);
                }
            }
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            LOG.warning(() -> "cannot list " + dir + ": " + e.getMessage());
            return List.of();
        }
    }

    private void recoverRun(LiveContainer c) {
        ContainerDocument d = c.doc();
        Process p;
        try {
            p = cd.tasks().get(GetRequest.newBuilder().setContainerId(d.id()).build()).getProcess();
        } catch (StatusRuntimeException e) {
            if (d.state().running()) {
                runs.finishRun(c, 255, Instant.now(), "the task was gone after a daemon restart");
            }
            return;
        }
        switch (p.getStatus()) {
            case RUNNING, PAUSED, PAUSING -> {
                if (!d.stdioDir().isEmpty() && Files.isDirectory(Path.of(d.stdioDir()))) {
                    ProcessStdio io = ProcessStdio.existing(Path.of(d.stdioDir()), d.tty(), d.openStdin());
                    io.start(runs.sinkOf(c), false);
                    c.stdio = io;
                }
                if (!d.state().running()) {
                    c.doc(d.withState(d.state().started(p.getPid(), Instant.now().toString())));
                }
                runs.watchExit(c);
            }
            default -> {
                Instant at = p.hasExitedAt() ? Instant.ofEpochSecond(p.getExitedAt().getSeconds(), p.getExitedAt().getNanos()) : Instant.now();
                runs.deleteTask(d.id());
                if (!d.stdioDir().isEmpty()) {
                    ContainerRemoval.deleteTree(Path.of(d.stdioDir()));
                }
                runs.finishRun(c, p.getExitStatus(), at, "");
                if (d.autoRemove()) {
                    removal.remove(c, true, true);
                }
            }
        }
    }
}
