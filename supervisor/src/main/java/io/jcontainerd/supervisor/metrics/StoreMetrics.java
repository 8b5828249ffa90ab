package io.jcontainerd.supervisor.metrics;

import io.jcontainerd.supervisor.gc.GcResult;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * Gauges read at scrape time and the collector's results: {@code jcontainerd_content_bytes}
 * (committed blobs on disk), {@code jcontainerd_shims} (shim processes the daemon drives),
 * {@code jcontainerd_gc_seconds} (collections and how long each held the lock) and
 * {@code jcontainerd_gc_removed_total{kind}}.
 */
public final class StoreMetrics {
    private final MeterRegistry registry;

    public StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code blobs}: the content store's blobs/ directory; summed on every scrape. */
    public StoreMetrics contentBytes(Path blobs) {
        Gauge.builder("jcontainerd.content.bytes", () -> sizeOf(blobs)).baseUnit("bytes")
                .description("bytes of committed content blobs").register(registry);
        return this;
    }

    public StoreMetrics shims(IntSupplier count) {
        Gauge.builder("jcontainerd.shims", count::getAsInt).description("shim processes the daemon drives").register(registry);
        return this;
    }

    public void collected(GcResult r) {
        Timer.builder("jcontainerd.gc").description("garbage collections and the time each held the lock").register(registry).record(r.took());
        registry.counter("jcontainerd.gc.removed", "kind", "lease").increment(r.expiredLeases());
        registry.counter("jcontainerd.gc.removed", "kind", "content").increment(r.contentRecords());
        registry.counter("jcontainerd.gc.removed", "kind", "blob").increment(r.blobs());
        registry.counter("jcontainerd.gc.removed", "kind", "ingest").increment(r.ingests());
        registry.counter("jcontainerd.gc.removed", "kind", "other").increment(r.others());
    }

    private static double sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (NoSuchFileException e) {
                    return 0;   // collected meanwhile
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
    }
}
