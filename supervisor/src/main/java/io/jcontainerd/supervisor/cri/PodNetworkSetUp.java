package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.network.SandboxRequest;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A pod's network set up beside the creation of its pause container: the network module pins the
 * namespace and writes the /etc files, then runs the CNI plugins (ADD: tens of ms) on a virtual thread
 * of its own, while RunPodSandbox records the pod and creates the pause container in that namespace.
 * RunPodSandbox waits for {@link #done} before it answers, so the pod is never reported ready, nor its
 * containers created, before its network is.
 */
final class PodNetworkSetUp {
    private final NetworkManager network;
    private final String namespace;
    private final String id;
    private final CompletableFuture<Sandbox> pinned = new CompletableFuture<>();
    private final CompletableFuture<Sandbox> done = new CompletableFuture<>();

    private PodNetworkSetUp(NetworkManager network, SandboxRequest request) {
        this.network = network;
        this.namespace = request.namespace();
        this.id = request.containerId();
    }

    /** Starts {@link NetworkManager#setUp(SandboxRequest, java.util.function.Consumer)} for {@code request} on a thread of its own. */
    static PodNetworkSetUp start(NetworkManager network, SandboxRequest request) {
        PodNetworkSetUp s = new PodNetworkSetUp(network, request);
        Thread.ofVirtual().name("pod-network-" + request.containerId()).start(() -> {
            try {
                Sandbox set = network.setUp(request, s.pinned::complete);
                s.pinned.complete(set); // no-op: told before
                s.done.complete(set);
            } catch (RuntimeException | Error e) {
                s.pinned.completeExceptionally(e); // no-op when the namespace was ready before the plugins failed
                s.done.completeExceptionally(e);
            }
        });
        return s;
    }

    /** The sandbox once its network namespace is pinned and its /etc files exist (its plugins may still run), or the set-up's error. */
    Sandbox namespaceReady() {
        return join(pinned);
    }

    /** The sandbox once the set-up has ended (endpoints, the pod's address), or its error. */
    Sandbox done() {
        return join(done);
    }

    /**
     * Runs {@code action} on the set-up's result once it has ended, on a virtual thread of its own (while
     * the caller goes on); the future completes with that result after {@code action}, or with the
     * set-up's or the action's error.
     */
    CompletableFuture<Sandbox> afterwards(Consumer<Sandbox> action) {
        return done.thenApplyAsync(set -> {
            action.accept(set);
            return set;
        }, r -> Thread.ofVirtual().name("pod-network-after-" + id).start(r));
    }

    /** The set-up's error, once it has ended with one; empty while it runs or when it succeeded. */
    Optional<RuntimeException> failure() {
        if (!done.isCompletedExceptionally()) {
            return Optional.empty();
        }
        try {
            join(done);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e);
        }
    }

    /** Undo of a failed RunPodSandbox: waits for the set-up to end (it holds the network's lock for the pod), then tears it down. */
    void tearDown() {
        done.handle((ok, e) -> null).join();
        network.tearDown(namespace, id);
    }

    /** The future's result, or its error as it was thrown. */
    static Sandbox join(CompletableFuture<Sandbox> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw JcdException.of(ErrorKind.UNKNOWN, "pod network set-up failed: " + e.getCause(), e.getCause());
        }
    }
}
