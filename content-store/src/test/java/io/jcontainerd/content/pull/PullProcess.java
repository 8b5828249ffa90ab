package io.jcontainerd.content.pull;

import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.store.LocalContentStore;

import java.nio.file.Path;

/** A pull in a process of its own, for tests that SIGKILL it: {@code PullProcess <store root> <reference>}. */
public final class PullProcess {

    private PullProcess() {
    }

    public static void main(String[] args) {
        LocalContentStore store = LocalContentStore.open(Path.of(args[0]));
        // Slow each blob down a little, so the parent finds the pull in the middle of a layer.
        PullListener slow = p -> {
            if (p.phase() == PullPhase.DOWNLOADING) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        new ImagePuller(RegistryClient.builder().build(), store).pull(args[1], PullOptions.defaults().withListener(slow));
        System.out.println("pulled");
    }
}
