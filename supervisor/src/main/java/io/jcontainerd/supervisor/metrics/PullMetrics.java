package io.jcontainerd.supervisor.metrics;

import io.jcontainerd.supervisor.pull.PullOutcome;
import io.jcontainerd.supervisor.pull.UnpackedImage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * Server-side pulls: {@code jcontainerd_pulls_seconds{result}} (count and duration),
 * {@code jcontainerd_pull_bytes_total} (downloaded), {@code jcontainerd_pull_blobs_total}
 * (fetched) and {@code jcontainerd_pull_layers_total} (unpacked).
 */
public final class PullMetrics {
    private final MeterRegistry registry;

    public PullMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void pulled(PullOutcome o) {
        Timer.builder("jcontainerd.pulls").tag("result", "ok").register(registry).record(o.elapsed());
        registry.counter("jcontainerd.pull.bytes").increment(o.download().bytesDownloaded());
        registry.counter("jcontainerd.pull.blobs").increment(o.download().blobsFetched());
        registry.counter("jcontainerd.pull.layers").increment(o.unpacked().stream().mapToInt(UnpackedImage::layersApplied).sum());
    }

    public void failed(Duration elapsed) {
        Timer.builder("jcontainerd.pulls").tag("result", "error").register(registry).record(elapsed);
    }
}
