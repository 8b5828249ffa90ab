package io.jcontainerd.supervisor.cri;

import io.grpc.Context;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerEventResponse;
import io.jcontainerd.api.cri.v1.ContainerEventType;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatus;
import io.jcontainerd.api.cri.v1.GetEventsRequest;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.api.cri.v1.RemoveContainerRequest;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.api.cri.v1.StartContainerRequest;
import io.jcontainerd.api.cri.v1.StopPodSandboxRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GetContainerEvents as kubelet's evented PLEG reads it: one stream, opened once, that tells of each
 * container and pod sandbox being created, started, stopped and deleted, each event carrying the
 * pod's status (its metadata's uid is how kubelet finds the pod) and the statuses of the pod's
 * containers, stamped with a time kubelet orders its cache by.
 */
class CriContainerEventsIT {
    static CriNode node;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("crievents");
        image = node.pull("busybox");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static PodSandboxConfig pod(String name) {
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid("uid-" + name).setNamespace("default"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder())).build();
    }

    static ContainerConfig container(String name, String script) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(List.of("sh", "-c", script))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder())).build();
    }

    /** One GetContainerEvents stream read by a thread of its own into a queue, as kubelet reads it. */
    static final class EventStream implements AutoCloseable {
        final BlockingQueue<ContainerEventResponse> queue = new LinkedBlockingQueue<>();
        final List<ContainerEventResponse> seen = new ArrayList<>();
        final Context.CancellableContext ctx = Context.current().withCancellation();
        final Thread reader;

        EventStream() {
            RuntimeServiceGrpc.RuntimeServiceBlockingStub stub = node.runtime;
            reader = Thread.ofPlatform().daemon().start(() -> ctx.run(() -> {
                try {
                    Iterator<ContainerEventResponse> it = stub.getContainerEvents(GetEventsRequest.getDefaultInstance());
                    while (it.hasNext()) {
                        queue.add(it.next());
                    }
                } catch (RuntimeException e) {
                    // cancelled by close()
                }
            }));
        }

        /** Waits up to {@code seconds} for an event matching {@code what}; every event read meanwhile is kept in {@link #seen}. */
        ContainerEventResponse await(String what, int seconds, Predicate<ContainerEventResponse> match) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                ContainerEventResponse e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    seen.add(e);
                    if (match.test(e)) {
                        return e;
                    }
                }
            }
            return null;
        }

        /**
         * The first event of {@code type} of a container {@code make} makes (given the try's number), made
         * again up to 10 times, 3 s apart: what tells that the stream is open on the daemon's side.
         */
        ContainerEventResponse ready(ContainerEventType type, java.util.function.IntFunction<String> make) throws InterruptedException {
            for (int i = 0; i < 10; i++) {
                String id = make.apply(i);
                ContainerEventResponse e = await(type + " of " + id, 3, x -> x.getContainerId().equals(id) && x.getContainerEventType() == type);
                if (e != null) {
                    return e;
                }
            }
            throw new AssertionError("no " + type + " event of a container made for it in 10 tries; seen: " + seen);
        }

        ContainerEventResponse expect(String id, ContainerEventType type) throws InterruptedException {
            ContainerEventResponse e = await(type + " of " + id, 60, x -> x.getContainerId().equals(id) && x.getContainerEventType() == type);
            assertThat(e).as("%s of %s within 60 s; seen: %s\ndaemon log:\n%s", type, id, seen, node.daemon.log()).isNotNull();
            return e;
        }

        @Override
        public void close() {
            ctx.cancel(null);
        }
    }

    static ContainerStatus statusOf(ContainerEventResponse e, String id) {
        return e.getContainersStatusesList().stream().filter(s -> s.getId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no status of " + id + " in " + e));
    }

    @Test
    void aPodsAndItsContainersLifeIsToldAsCreatedStartedStoppedDeletedWithThePodsAndContainersStatuses() throws Exception {
        PodSandboxConfig probeConfig = pod("probe");
        String probePod = node.runPod(probeConfig);
        try (EventStream events = new EventStream()) {
            // the stream is ready once it tells of a container created after it was opened
            ContainerEventResponse ready = events.ready(ContainerEventType.CONTAINER_CREATED_EVENT,
                    i -> node.create(probePod, probeConfig, container("probe-" + i, "true").toBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("probe-" + i)).build()));
            assertThat(ready.getPodSandboxStatus().getMetadata().getUid()).isEqualTo("uid-probe");

            PodSandboxConfig config = pod("watched");
            String pod = node.runPod(config);
            ContainerEventResponse podCreated = events.expect(pod, ContainerEventType.CONTAINER_CREATED_EVENT);
            ContainerEventResponse podStarted = events.expect(pod, ContainerEventType.CONTAINER_STARTED_EVENT);
            assertThat(podStarted.getPodSandboxStatus().getId()).isEqualTo(pod);
            assertThat(podStarted.getPodSandboxStatus().getMetadata().getUid()).isEqualTo("uid-watched");
            assertThat(podStarted.getPodSandboxStatus().getState()).isEqualTo(PodSandboxState.SANDBOX_READY);
            assertThat(podStarted.getPodSandboxStatus().getNetwork().getIp()).isNotEmpty();

            String c = node.create(pod, config, container("waiter", "while [ ! -e /tmp/go ]; do sleep 1; done; exit 3"));
            ContainerEventResponse created = events.expect(c, ContainerEventType.CONTAINER_CREATED_EVENT);
            assertThat(statusOf(created, c).getState()).isEqualTo(ContainerState.CONTAINER_CREATED);
            assertThat(statusOf(created, c).getMetadata().getName()).isEqualTo("waiter");

            node.runtime.startContainer(StartContainerRequest.newBuilder().setContainerId(c).build());
            ContainerEventResponse started = events.expect(c, ContainerEventType.CONTAINER_STARTED_EVENT);
            assertThat(started.getPodSandboxStatus().getMetadata().getUid()).isEqualTo("uid-watched");
            assertThat(statusOf(started, c).getState()).isEqualTo(ContainerState.CONTAINER_RUNNING);

            // the container exits on its own (an exec lets it go; the exec's own exit is no container event)
            node.exec(c, "touch", "/tmp/go");
            ContainerEventResponse stopped = events.expect(c, ContainerEventType.CONTAINER_STOPPED_EVENT);
            assertThat(statusOf(stopped, c).getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
            assertThat(statusOf(stopped, c).getExitCode()).isEqualTo(3);
            assertThat(stopped.getPodSandboxStatus().getState()).isEqualTo(PodSandboxState.SANDBOX_READY);

            node.runtime.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(c).build());
            ContainerEventResponse deleted = events.expect(c, ContainerEventType.CONTAINER_DELETED_EVENT);
            assertThat(deleted.getContainersStatusesList()).extracting(ContainerStatus::getId).doesNotContain(c);
            assertThat(deleted.getPodSandboxStatus().getMetadata().getUid()).isEqualTo("uid-watched");

            node.runtime.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
            ContainerEventResponse podStopped = events.expect(pod, ContainerEventType.CONTAINER_STOPPED_EVENT);
            assertThat(podStopped.getPodSandboxStatus().getState()).isEqualTo(PodSandboxState.SANDBOX_NOTREADY);
            node.removePod(pod);
            ContainerEventResponse podDeleted = events.expect(pod, ContainerEventType.CONTAINER_DELETED_EVENT);
            assertThat(podDeleted.getPodSandboxStatus().getMetadata().getUid()).as("a deleted pod's event still names it").isEqualTo("uid-watched");
            assertThat(podDeleted.getPodSandboxStatus().getState()).isEqualTo(PodSandboxState.SANDBOX_NOTREADY);
            assertThat(podDeleted.getContainersStatusesList()).isEmpty();

            List<ContainerEventResponse> ofC = events.seen.stream().filter(e -> e.getContainerId().equals(c)).toList();
            assertThat(ofC).extracting(ContainerEventResponse::getContainerEventType).as("the events of the container, the exec's none")
                    .containsExactly(ContainerEventType.CONTAINER_CREATED_EVENT, ContainerEventType.CONTAINER_STARTED_EVENT,
                            ContainerEventType.CONTAINER_STOPPED_EVENT, ContainerEventType.CONTAINER_DELETED_EVENT);
            assertThat(ofC).extracting(ContainerEventResponse::getCreatedAt).as("stamped in order, as kubelet's cache wants").isSorted();
            assertThat(List.of(podCreated.getCreatedAt(), podStarted.getCreatedAt(), podStopped.getCreatedAt(), podDeleted.getCreatedAt())).isSorted();
            assertThat(events.seen).allSatisfy(e -> assertThat(e.getPodSandboxStatus().getMetadata().getUid()).isNotEmpty());
        } finally {
            node.removePod(probePod);
        }
    }

    @Test
    void aRunningContainerRemovedAtOnceIsToldStoppedBeforeDeletedEachOnce() throws Exception {
        PodSandboxConfig config = pod("removed-running");
        String pod = node.runPod(config);
        try (EventStream events = new EventStream()) {
            // the stream is ready once it tells of a container started after it was opened
            String id = events.ready(ContainerEventType.CONTAINER_STARTED_EVENT, i -> {
                String sleeper = node.create(pod, config, container("sleeper-" + i, "exec sleep 1000").toBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName("sleeper-" + i)).build());
                node.runtime.startContainer(StartContainerRequest.newBuilder().setContainerId(sleeper).build());
                return sleeper;
            }).getContainerId();
            node.runtime.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
            events.expect(id, ContainerEventType.CONTAINER_DELETED_EVENT);
            // a late exit of the removed container comes before a marker's events, which come after it on the bus
            String marker = node.create(pod, config, container("marker", "true").toBuilder()
                    .setMetadata(ContainerMetadata.newBuilder().setName("marker")).build());
            node.runtime.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(marker).build());
            events.expect(marker, ContainerEventType.CONTAINER_DELETED_EVENT);
            // its CREATED came before the stream may have been ready
            List<ContainerEventResponse> ofC = events.seen.stream().filter(e -> e.getContainerId().equals(id)
                    && e.getContainerEventType() != ContainerEventType.CONTAINER_CREATED_EVENT).toList();
            assertThat(ofC).extracting(ContainerEventResponse::getContainerEventType).as("the removed container's events after it started")
                    .containsExactly(ContainerEventType.CONTAINER_STARTED_EVENT, ContainerEventType.CONTAINER_STOPPED_EVENT,
                            ContainerEventType.CONTAINER_DELETED_EVENT);
            assertThat(ofC).extracting(ContainerEventResponse::getCreatedAt).isSorted();
        } finally {
            node.removePod(pod);
        }
    }
}
