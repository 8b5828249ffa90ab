package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.leases.LeaseResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two changes of one snapshot name at once, as two pulls of one image make them (both commit the
 * same chain ID): the interleavings are forced with a driver that stops a chosen thread inside
 * its commit until the test lets it go on. One commit wins, the other gets AlreadyExists, the
 * winner's snapshot is never removed, and the loser can use it as a parent at once.
 */
class ConcurrentSnapshotChangesTest {
    private static final String NS = "race";
    private static final String CHAIN = "sha256:" + "c".repeat(64);
    private static final String CHILD = "sha256:" + "d".repeat(64);

    @TempDir
    Path dir;
    TestStores t;
    GatedDriver driver;
    SnapshotterSet drivers;
    NamespacedSnapshots snapshots;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        driver = new GatedDriver(new NativeSnapshotter(dir.resolve("native")));
        drivers = new SnapshotterSet().add("native", driver);
        snapshots = new NamespacedSnapshots(drivers, t.db, t.namespaces);
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
    }

    @AfterEach
    void close() {
        driver.releaseAll();
        drivers.close();
        t.close();
    }

    @Test
    void aSecondCommitOfANameWhoseFirstCommitHasNotWrittenItsRecordGetsAlreadyExistsAndRemovesNothing() throws Exception {
        snapshots.prepare(NS, "native", "extract-a " + CHAIN, "", Map.of(), Optional.empty());
        snapshots.prepare(NS, "native", "extract-b " + CHAIN, "", Map.of(), Optional.empty());
        Gate aCommitted = driver.gate("a", "after-commit");

        Outcome a = Outcome.start("a", () -> snapshots.commit(NS, "native", CHAIN, "extract-a " + CHAIN, Map.of(), Optional.empty()));
        aCommitted.awaitArrival();
        // a's snapshot is in the driver, its record not yet written: the moment b's commit came in
        Outcome b = Outcome.start("b", () -> snapshots.commit(NS, "native", CHAIN, "extract-b " + CHAIN, Map.of(), Optional.empty()));
        b.awaitFinishedOrWaitingFor(List.of());
        aCommitted.release();
        a.join();
        b.join();

        assertThat(a.failure).as("the first commit").isNull();
        assertThat(b.failure).as("the second commit of the same name").isInstanceOf(AlreadyExistsException.class);
        assertThat(driver.removed).as("driver snapshots removed").doesNotContain(NS + "/" + CHAIN);
        assertThat(snapshots.stat(NS, "native", CHAIN).name()).isEqualTo(CHAIN);
        snapshots.remove(NS, "native", "extract-b " + CHAIN);
        snapshots.prepare(NS, "native", "extract " + CHILD, CHAIN, Map.of(), Optional.empty());
        assertThat(names()).containsExactlyInAnyOrder(CHAIN, "extract " + CHILD);
    }

    @Test
    void aCommitThatLostTheRaceInTheDriverCanPrepareTheNextLayerOnTheWinnersSnapshotAtOnce() throws Exception {
        snapshots.prepare(NS, "native", "extract-a " + CHAIN, "", Map.of(), Optional.empty());
        snapshots.prepare(NS, "native", "extract-b " + CHAIN, "", Map.of(), Optional.empty());
        Gate aBefore = driver.gate("a", "before-commit");
        Gate aAfter = driver.gate("a", "after-commit");
        Gate bBefore = driver.gate("b", "before-commit");

        Outcome a = Outcome.start("a", () -> snapshots.commit(NS, "native", CHAIN, "extract-a " + CHAIN, Map.of(), Optional.empty()));
        aBefore.awaitArrival();
        // b, as the unpacker does it: commit; lost the race → remove its own key, go on with the next layer
        List<String> bSteps = new CopyOnWriteArrayList<>();
        Outcome b = Outcome.start("b", () -> {
            try {
                snapshots.commit(NS, "native", CHAIN, "extract-b " + CHAIN, Map.of(), Optional.empty());
                bSteps.add("committed");
            } catch (AlreadyExistsException raced) {
                bSteps.add("already exists");
                snapshots.remove(NS, "native", "extract-b " + CHAIN);
            }
            snapshots.prepare(NS, "native", "extract-b " + CHILD, CHAIN, Map.of(), Optional.empty());
            bSteps.add("prepared the next layer");
        });
        b.awaitFinishedOrWaitingFor(List.of(bBefore));
        aBefore.release();
        aAfter.awaitArrival();
        if (bBefore.arrived()) {
            // b checked the name while a's commit had not reached the driver; a is now committed in
            // the driver but has not written its record
            bBefore.release();
            b.awaitFinishedOrWaitingFor(List.of());
        }
        aAfter.release();
        a.join();
        b.join();

        assertThat(a.failure).as("the first commit").isNull();
        assertThat(b.failure).as("the pull that lost the race").isNull();
        assertThat(bSteps).containsExactly("already exists", "prepared the next layer");
        assertThat(driver.removed).as("driver snapshots removed").doesNotContain(NS + "/" + CHAIN);
        assertThat(names()).containsExactlyInAnyOrder(CHAIN, "extract-b " + CHILD);
    }

    @Test
    void aLayerAnotherPullCommittedStaysWhileTheLeaseThatHoldsItLivesThoughTheCommittingLeaseIsGone() {
        String first = t.stores.leases().create(NS, "first", Map.of()).id();
        String second = t.stores.leases().create(NS, "second", Map.of()).id();
        snapshots.prepare(NS, "native", "extract " + CHAIN, "", Map.of(), Optional.of(first));
        snapshots.commit(NS, "native", CHAIN, "extract " + CHAIN, Map.of(), Optional.of(first));

        assertThat(snapshots.hold(NS, "native", CHAIN, Optional.of(second))).as("hold of a committed chain").isTrue();
        assertThat(snapshots.hold(NS, "native", CHILD, Optional.of(second))).as("hold of a chain nobody committed").isFalse();
        t.stores.leases().delete(NS, first);
        t.stores.gc().collect();

        assertThat(t.stores.leases().listResources(NS, second)).containsExactly(new LeaseResource("snapshots/native", CHAIN));
        assertThat(names()).containsExactly(CHAIN);
        snapshots.prepare(NS, "native", "extract " + CHILD, CHAIN, Map.of(), Optional.of(second));
        t.stores.leases().delete(NS, second);
        t.stores.gc().collect();
        assertThat(names()).as("what only the deleted leases held").isEmpty();
    }

    private List<String> names() {
        List<String> out = new ArrayList<>();
        snapshots.walk(NS, "native", i -> out.add(i.name()));
        return out;
    }

    /** A point inside a driver call where one named thread stops until released. */
    static final class Gate {
        private final CountDownLatch arrival = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        void pass() {
            arrival.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate not released within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        boolean arrived() {
            return arrival.getCount() == 0;
        }

        void awaitArrival() throws InterruptedException {
            assertThat(arrival.await(60, TimeUnit.SECONDS)).as("the thread reached the gate").isTrue();
        }

        void release() {
            release.countDown();
        }
    }

    /** A thread running one change, and how it ended. */
    static final class Outcome {
        final Thread thread;
        volatile Throwable failure;

        private Outcome(String name, Runnable body) {
            thread = Thread.ofPlatform().name(name).unstarted(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure = e;
                }
            });
        }

        static Outcome start(String name, Runnable body) {
            Outcome o = new Outcome(name, body);
            o.thread.start();
            return o;
        }

        /** Waits until the thread ended, reached one of {@code gates}, or waits for a lock (parked outside a gate). */
        void awaitFinishedOrWaitingFor(List<Gate> gates) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                Thread.State s = thread.getState();
                if (s == Thread.State.TERMINATED || gates.stream().anyMatch(Gate::arrived)) {
                    return;
                }
                if (s == Thread.State.WAITING && gates.stream().noneMatch(Gate::arrived)) {
                    return;
                }
                Thread.sleep(1);
            }
            throw new AssertionError(thread.getName() + " neither ended nor stopped within 60 s: " + thread.getState());
        }

        void join() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(thread.isAlive()).as(thread.getName() + " ended").isFalse();
        }
    }

    /** The native driver, with gates before and after commit for named threads, and a log of removals. */
    static final class GatedDriver extends ForwardingSnapshotter {
        private final Map<String, Gate> gates = new ConcurrentHashMap<>();
        final List<String> removed = new CopyOnWriteArrayList<>();

        GatedDriver(NativeSnapshotter d) {
            super(d);
        }

        Gate gate(String thread, String point) {
            return gates.computeIfAbsent(thread + "/" + point, k -> new Gate());
        }

        void releaseAll() {
            gates.values().forEach(Gate::release);
        }

        private void at(String point) {
            Gate g = gates.get(Thread.currentThread().getName() + "/" + point);
            if (g != null) {
                g.pass();
            }
        }

        @Override
        public void commit(String name, String key, Map<String, String> labels) {
            at("before-commit");
            d.commit(name, key, labels);
            at("after-commit");
        }

        @Override
        public void remove(String key) {
            d.remove(key);
            removed.add(key);
        }

        @Override
        public void removeDeferred(String key) {
            d.removeDeferred(key);
            removed.add(key);
        }
    }
}
