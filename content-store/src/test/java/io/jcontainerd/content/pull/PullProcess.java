package io.jcontainerd.content.pull;

import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.store.LocalContentStore;

import java.nio.file.Path;

/**
 * A pull in a process of its own, for tests that SIGKILL it or measure it:
 * {@code PullProcess <store root> <reference> [slow]}. Prints "pulled <bytes> VmHWM <kB>" at the end.
 */
public final class PullProcess {

    private PullProcess() {
    }

    public static void main(String[] args) {
        LocalContentStore store = LocalContentStore.open(Path.of(args[0]));
        // Slow each blob down a little, so the parent finds the pull in the middle of a layer.
        boolean slowDown = args.length > 2 && args[2].equals("slow");
        PullListener slow = !slowDown ? PullListener.NONE : p -> {
            if (p.phase() == PullPhase.DOWNLOADING) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        PullResult r = new ImagePuller(RegistryClient.builder().build(), store)
                .pull(args[1], PullOptions.defaults().withListener(slow));
        System.out.println("pulled " + r.bytesDownloaded() + " VmHWM " + peakRssKb());
    }

    /** Peak resident set size of this process, from /proc/self/status. */
    static long peakRssKb() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(-1L);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
