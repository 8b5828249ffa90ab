package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.image.Digest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The OCI chain IDs of a layer stack, which name committed snapshots: chain(0) = diff_id(0),
 * chain(i) = sha256(chain(i-1) + " " + diff_id(i)). Two images sharing their lower layers share
 * those snapshots, whatever their manifests say.
 */
public final class ChainIds {
    private ChainIds() {
    }

    public static List<Digest> of(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>(diffIds.size());
        Digest previous = null;
        for (Digest diffId : diffIds) {
            previous = previous == null ? diffId
                    : Digest.of((previous + " " + diffId).getBytes(StandardCharsets.UTF_8));
            out.add(previous);
        }
        return List.copyOf(out);
    }
}
