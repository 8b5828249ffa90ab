package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.Index;
import io.jcontainerd.content.image.Manifest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The labels containerd puts on content during a pull, so that garbage collection keeps what an
 * image references: an index references its manifests (all listed ones, as containerd labels them
 * before platform filtering), a manifest its config and layers; every blob records where it came from.
 */
final class GcLabels {

    static final String CONTENT_PREFIX = "containerd.io/gc.ref.content.";
    static final String SOURCE_PREFIX = "containerd.io/distribution.source.";

    private final Map<Digest, Map<String, String>> labels = new ConcurrentHashMap<>();

    void index(Descriptor desc, Index index) {
        Map<String, String> m = of(desc.digest());
        for (int i = 0; i < index.manifests().size(); i++) {
            m.put(CONTENT_PREFIX + "m." + i, index.manifests().get(i).digest().toString());
        }
    }

    void manifest(Descriptor desc, Manifest manifest) {
        Map<String, String> m = of(desc.digest());
        m.put(CONTENT_PREFIX + "config", manifest.config().digest().toString());
        for (int i = 0; i < manifest.layers().size(); i++) {
            m.put(CONTENT_PREFIX + "l." + i, manifest.layers().get(i).digest().toString());
        }
    }

    void source(Descriptor desc, ImageReference ref) {
        of(desc.digest()).put(SOURCE_PREFIX + ref.domain(), ref.path());
    }

    private Map<String, String> of(Digest d) {
        return labels.computeIfAbsent(d, k -> new ConcurrentHashMap<>());
    }

    /** Sorted, immutable copies: digest → label → value. */
    Map<Digest, Map<String, String>> snapshot() {
        Map<Digest, Map<String, String>> out = new LinkedHashMap<>();
        new TreeMap<>(labels).forEach((d, m) -> out.put(d, Map.copyOf(new TreeMap<>(m))));
        return java.util.Collections.unmodifiableMap(out);
    }
}
