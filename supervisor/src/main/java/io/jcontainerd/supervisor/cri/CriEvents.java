package io.jcontainerd.supervisor.cri;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jcontainerd.api.cri.v1.ContainerEventResponse;
import io.jcontainerd.api.cri.v1.ContainerEventType;
import io.jcontainerd.api.cri.v1.ContainerStatus;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.api.cri.v1.PodSandboxStatus;
import io.jcontainerd.api.events.ContainerCreate;
import io.jcontainerd.api.events.ContainerDelete;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.events.TaskStart;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.events.Event;
import io.jcontainerd.supervisor.events.EventExchange;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The CRI's container events (GetContainerEvents, what kubelet's evented PLEG reads), made from the
 * daemon's event bus in namespace k8s.io: /containers/create is CONTAINER_CREATED, /tasks/start
 * CONTAINER_STARTED, the init's /tasks/exit CONTAINER_STOPPED, /containers/delete CONTAINER_DELETED,
 * for containers and for pod sandboxes (their id as the container id), as containerd 1.7 sends them,
 * in its order ({@link ContainerEventOrder}: a STOPPED before the DELETED of every container that ran,
 * even when the bus brings the task's exit after the delete).
 * Each carries the time of the bus event, the pod's PodSandboxStatus and the ContainerStatus of each
 * container of the pod as they are when the event is turned into a CRI event; a deleted pod's is its
 * last status seen, NOTREADY (statuses are kept only while a stream is open). One thread reads the bus; every GetContainerEvents stream gets every
 * event from its subscription on; one that falls {@value #BACKLOG} events behind is ended UNAVAILABLE.
 */
public final class CriEvents implements AutoCloseable {
    static final int BACKLOG = 4096;
    private static final Logger LOG = Logger.getLogger(CriEvents.class.getName());
    private final EventExchange bus;
    private final CriRecords records;
    private final PodSandboxes sandboxes;
    private final PodContainers containers;
    private final Set<Stream> streams = new CopyOnWriteArraySet<>();
    /** container or sandbox id -> its sandbox's id, kept after the record goes (a DELETED event needs it) */
    private final Map<String, String> podOf = new ConcurrentHashMap<>();
    /** sandbox id -> its last status seen (a deleted pod's event carries it) */
    private final Map<String, PodSandboxStatus> lastStatus = new ConcurrentHashMap<>();
    /** Turned by the reader thread only (and the constructor, before it starts). */
    private final ContainerEventOrder order = new ContainerEventOrder();
    private final Thread reader;
    private volatile boolean closed;

    CriEvents(EventExchange bus, CriRecords records, PodSandboxes sandboxes, PodContainers containers) {
        this.bus = bus;
        this.records = records;
        this.sandboxes = sandboxes;
        this.containers = containers;
        EventExchange.Subscription first = bus.subscribe(FilterParser.parse("namespace==" + CriNames.NAMESPACE));
        records.all("sandbox").forEach(this::remember);
        records.all("container").forEach(this::remember);
        records.all("container").forEach(this::rememberRunning);
        this.reader = Thread.ofVirtual().name("cri-events").start(() -> read(first));
    }

    /**
     * Each pod's status now, kept as its last seen (a DELETED event of a pod carries it). Done when a
     * stream opens, not at daemon start: it asks every pod's tasks, and only a stream needs it.
     */
    private void rememberStatuses() {
        for (ContainerRecord r : records.all("sandbox")) {
            try {
                lastStatus.put(r.id(), sandboxes.status(sandboxes.view(r.id())));
            } catch (JcdException e) {
                LOG.fine(() -> "pod sandbox " + r.id() + ": no status for container events: " + e.getMessage());
            }
        }
    }

    private void remember(ContainerRecord r) {
        String kind = r.labels().get(CriNames.KIND_LABEL);
        if ("sandbox".equals(kind)) {
            podOf.put(r.id(), r.id());
        } else if ("container".equals(kind)) {
            podOf.put(r.id(), r.sandbox());
        }
    }

    /** A container started and not yet finished by its CRI state: its delete comes after a STOPPED. */
    private void rememberRunning(ContainerRecord r) {
        try {
            CriContainerState st = CriRecords.state(r, CriContainerState.class);
            if (st.startedAt() != 0 && st.finishedAt() == 0) {
                order.running(r.id());
            }
        } catch (RuntimeException e) {
            LOG.fine(() -> "container " + r.id() + ": no CRI state for container events: " + e.getMessage());
        }
    }

    private void read(EventExchange.Subscription first) {
        EventExchange.Subscription s = first;
        while (!closed) {
            try (EventExchange.Subscription sub = s) {
                while (!closed) {
                    Event e = sub.next(500);
                    if (e != null) {
                        handle(e);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warning(() -> "CRI container events: " + e.getMessage() + "; subscribing again (events meanwhile are lost)");
            }
            s = bus.subscribe(FilterParser.parse("namespace==" + CriNames.NAMESPACE));
        }
    }

    void handle(Event e) {
        try {
            switch (e.topic()) {
                case "/containers/create" -> {
                    String id = ContainerCreate.parseFrom(e.payload().getValue()).getId();
                    records.store().find(CriNames.NAMESPACE, id).ifPresent(this::remember);
                    turn(id, ContainerEventType.CONTAINER_CREATED_EVENT, e);
                }
                case "/tasks/start" -> turn(TaskStart.parseFrom(e.payload().getValue()).getContainerId(), ContainerEventType.CONTAINER_STARTED_EVENT, e);
                case "/tasks/exit" -> {
                    TaskExit x = TaskExit.parseFrom(e.payload().getValue());
                    if (x.getId().isEmpty() || x.getId().equals(x.getContainerId())) { // an exec's exit is no container event
                        turn(x.getContainerId(), ContainerEventType.CONTAINER_STOPPED_EVENT, e);
                    }
                }
                case "/containers/delete" -> {
                    String id = ContainerDelete.parseFrom(e.payload().getValue()).getId();
                    turn(id, ContainerEventType.CONTAINER_DELETED_EVENT, e);
                    if (id.equals(podOf.get(id))) {
                        lastStatus.remove(id);
                    }
                    podOf.remove(id);
                }
                default -> {
                }
            }
        } catch (InvalidProtocolBufferException ex) {
            LOG.warning(() -> "CRI container events: " + e.topic() + " carries no " + e.topic() + " payload we can read: " + ex.getMessage());
        }
    }

    /**
     * The CRI events of a bus event, in containerd's order: a STOPPED that the exit has not brought
     * before a delete is sent then, stamped 1 ns before it.
     */
    private void turn(String id, ContainerEventType type, Event e) {
        if (!podOf.containsKey(id)) {
            return; // not the CRI's (jctr -n k8s.io), or created and deleted before its event was read
        }
        List<ContainerEventType> types = order.on(id, type);
        for (ContainerEventType t : types) {
            send(id, t, t == type ? e.timestamp() : e.timestamp().minusNanos(1));
        }
    }

    private void send(String id, ContainerEventType type, java.time.Instant at) {
        String pod = podOf.get(id);
        if (pod == null || streams.isEmpty()) {
            // nobody listens: the statuses below ask the pod's tasks, too dear for an event nobody reads
            return;
        }
        Optional<PodSandboxStatus> status = sandboxStatus(pod);
        if (status.isEmpty()) {
            LOG.fine(() -> "CRI container event " + type + " of " + id + " left out: pod sandbox " + pod + " has no status");
            return;
        }
        List<ContainerStatus> statuses;
        try {
            statuses = containers.statuses(pod);
        } catch (JcdException ex) {
            statuses = List.of();
        }
        ContainerEventResponse event = ContainerEventResponse.newBuilder().setContainerId(id).setContainerEventType(type)
                .setCreatedAt(CriRecords.nanos(at)).setPodSandboxStatus(status.get()).addAllContainersStatuses(statuses).build();
        for (Stream s : streams) {
            s.offer(event);
        }
    }

    /** The pod's status now; once it is gone, its last status seen, not ready. */
    private Optional<PodSandboxStatus> sandboxStatus(String pod) {
        try {
            PodSandboxStatus s = sandboxes.status(sandboxes.view(pod));
            lastStatus.put(pod, s);
            return Optional.of(s);
        } catch (JcdException ex) {
            return Optional.ofNullable(lastStatus.get(pod)).map(s -> s.toBuilder().setState(PodSandboxState.SANDBOX_NOTREADY).build());
        }
    }

    /** A GetContainerEvents stream: every CRI event from now on. */
    public Stream subscribe() {
        Stream s = new Stream();
        streams.add(s);
        rememberStatuses();
        return s;
    }

    /** One GetContainerEvents call's queue; {@link #close} ends it. */
    public final class Stream implements AutoCloseable {
        private final BlockingQueue<ContainerEventResponse> queue = new ArrayBlockingQueue<>(BACKLOG);
        private volatile boolean overflowed;

        private Stream() {
        }

        private void offer(ContainerEventResponse e) {
            if (!queue.offer(e)) {
                LOG.warning(() -> "a GetContainerEvents client fell " + BACKLOG + " events behind; ending its stream");
                overflowed = true;
                streams.remove(this);
            }
        }

        /** The next event, or null after {@code timeoutMillis}; UNAVAILABLE once the stream fell behind and was cut off. */
        public ContainerEventResponse next(long timeoutMillis) throws InterruptedException {
            ContainerEventResponse e = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (e == null && overflowed) {
                throw JcdException.unavailable("the container event stream fell %d events behind and was ended: call GetContainerEvents again "
                        + "(and list pods and containers for what was missed)", BACKLOG);
            }
            return e;
        }

        @Override
        public void close() {
            streams.remove(this);
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
    }
}
