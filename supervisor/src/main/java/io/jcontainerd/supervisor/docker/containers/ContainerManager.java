package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.network.Network;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.images.ImageStore;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Docker's containers on top of the containerd services, as the facade's routes use them: found
 * by full ID, name or unique ID prefix ({@link ContainerTable}); created ({@link ContainerCreation});
 * run, stopped, killed, paused ({@link ContainerRuns}); on networks ({@link ContainerNetworks});
 * removed ({@link ContainerRemoval}); found again at the daemon's start ({@link ContainerRecovery}).
 * Each document is kept as its container record's extension ({@link ContainerDocuments}).
 */
public final class ContainerManager {
    private final Containerd cd;
    private final Path fifoDir;
    private final Networking networking;
    private final ContainerTable table = new ContainerTable();
    private final ContainerListeners listeners;
    private final ContainerDocuments documents;
    private final ContainerNetworks networks;
    private final ContainerCreation creation;
    private final ContainerRuns runs;
    private final ContainerRemoval removal;
    private final ContainerRecovery recovery;
    private volatile ContainerVolumes volumes = ContainerVolumes.NONE;

    /**
     * @param containersDir where each container's files live (log, hosts, resolv.conf): under the daemon's root
     * @param fifoDir       where the FIFOs of running processes live: under the daemon's state dir
     */
    public ContainerManager(Containerd cd, ImageStore images, String snapshotter, Path containersDir, Path fifoDir,
                            Networking networking) {
        this.cd = cd;
        this.fifoDir = fifoDir;
        this.networking = networking;
        this.listeners = new ContainerListeners(networking);
        this.documents = new ContainerDocuments(cd);
        this.networks = new ContainerNetworks(cd.namespace(), networking, table, documents);
        Restarts restarts = new Restarts(this);
        this.creation = new ContainerCreation(this, cd, images, snapshotter, containersDir, networking, table);
        this.runs = new ContainerRuns(this, cd, fifoDir, networking, networks, listeners, documents, restarts);
        this.removal = new ContainerRemoval(this, cd, snapshotter, fifoDir, table, runs, networks, listeners, restarts);
        this.recovery = new ContainerRecovery(cd, snapshotter, containersDir, fifoDir, networking, table, documents, runs,
                removal, restarts);
    }

    /** Gives containers volumes and {@code --mount}s (without it: binds only). */
    public void useVolumes(ContainerVolumes v) {
        this.volumes = v;
    }

    ContainerVolumes volumes() {
        return volumes;
    }

    /** Adds a listener of container events (events, health checks). */
    public void listen(ContainerListener l) {
        listeners.add(l);
    }

    /** Tells the listeners; a failing listener is logged, never the caller's failure. */
    public void emit(LiveContainer c, String action, Map<String, String> attributes) {
        listeners.emit(c, action, attributes);
    }

    public Containerd containerd() {
        return cd;
    }

    public Path fifoDir() {
        return fifoDir;
    }

    public Networking networking() {
        return networking;
    }

    public Collection<LiveContainer> all() {
        return table.all();
    }

    /** The container a full ID, a name or a unique ID prefix names; 404 "No such container: ref" otherwise. */
    public LiveContainer lookup(String ref) {
        return table.lookup(ref);
    }

    public Optional<LiveContainer> find(String ref) {
        return table.find(ref);
    }

    /** The ID of a container created from the image of this ID, if any. */
    public Optional<String> usingImage(String imageId) {
        return table.usingImage(imageId);
    }

    /** Creates a container; returns it. A missing image is 404 "No such image: busybox:latest" (the CLI then pulls). */
    public LiveContainer create(String requestedName, JsonNode body) {
        return creation.create(requestedName, body);
    }

    /**
     * docker network connect: the container is on {@code network} from now on; a running one gets
     * its endpoint at once, a created or stopped one at its next start (as dockerd).
     */
    public Network connect(LiveContainer c, String network, List<String> aliases) {
        return networks.connect(c, network, aliases);
    }

    /** docker network disconnect: off {@code network}, its endpoint removed if it runs. */
    public Network disconnect(LiveContainer c, String network) {
        return networks.disconnect(c, network);
    }

    /**
     * A health probe's result for the run that started at {@code run}: the new health kept with
     * the container; null when that run has ended meanwhile.
     */
    public Health.Transition updateHealth(LiveContainer c, String run, UnaryOperator<Health> change) {
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!c.running() || !d.state().startedAt().equals(run)) {
                return null;
            }
            Health before = d.health() != null ? d.health() : new Health(Health.STARTING, 0, List.of());
            Health after = change.apply(before);
            c.doc(d.withHealth(after));
            documents.persist(c);
            return new Health.Transition(before.status(), after.status());
        }
    }

    /** Keeps the document in the daemon's metadata (the container's extension). */
    void persist(LiveContainer c) {
        documents.persist(c);
    }

    /** A client's start: a pending restart is cancelled, RestartCount starts again at 0. */
    public void start(LiveContainer c) {
        runs.start(c);
    }

    /** Starts a run of {@code c} (a restart policy's). */
    void startRun(LiveContainer c) {
        runs.startRun(c);
    }

    /** Stops a running container: its stop signal, then SIGKILL after {@code timeout} seconds (null: its StopTimeout or 10). */
    public void stop(LiveContainer c, Integer timeout) {
        runs.stop(c, timeout);
    }

    public void kill(LiveContainer c, String signal) {
        runs.kill(c, signal);
    }

    public void restart(LiveContainer c, Integer timeout) {
        runs.restart(c, timeout);
    }

    public void pause(LiveContainer c) {
        runs.pause(c);
    }

    public void unpause(LiveContainer c) {
        runs.unpause(c);
    }

    public void resize(LiveContainer c, int height, int width) {
        runs.resize(c, height, width);
    }

    public void rename(LiveContainer c, String newName) {
        String n = ContainerTable.validName(newName);
        synchronized (c) {
            String old = c.doc().name();
            if (old.equals(n)) {
                throw DockerApiException.conflict("Renaming a container with the same name as its current name");
            }
            table.claimName(n, c.id());
            table.releaseName(old, c.id());
            c.doc(c.doc().withName(n));
            documents.persist(c);
            listeners.emit(c, "rename", Map.of("oldName", "/" + old));
        }
    }

    /** Removes a container (a running one only with {@code force}: killed first), its snapshot and its files. */
    public boolean remove(LiveContainer c, boolean force) {
        return removal.remove(c, force, false);
    }

    /**
     * {@link #remove(LiveContainer, boolean)}, and its anonymous volumes with {@code removeVolumes} ({@code rm -v}, {@code --rm}).
     * False when another removal of it is under way or done (that one does the work).
     */
    public boolean remove(LiveContainer c, boolean force, boolean removeVolumes) {
        return removal.remove(c, force, removeVolumes);
    }

    /** A client's {@code DELETE /containers/{ref}}: 409 while another removal of it runs, 404 once it is gone. */
    public void removeByClient(String ref, boolean force, boolean removeVolumes) {
        removal.removeByClient(ref, force, removeVolumes);
    }

    void removeSnapshot(String id) {
        removal.removeSnapshot(id);
    }

    /** The container's OCI spec as stored (for exec's process defaults). */
    public JsonNode spec(LiveContainer c) {
        return documents.spec(c);
    }

    /** The mounts of the container's snapshot (for reading its /etc/passwd). */
    public List<Mount> rootfs(LiveContainer c) {
        return documents.rootfs(c);
    }

    /**
     * Finds the facade's containers again after a daemon start: documents from the metadata;
     * a task still running gets its output readers and exit watcher back; one that ended while
     * the daemon was away is recorded as exited with its status.
     */
    public void recover() {
        recovery.recover();
    }
}
