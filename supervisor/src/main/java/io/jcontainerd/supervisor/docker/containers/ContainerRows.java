package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.network.Sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows of {@code GET /containers/json} kept as JSON bytes per container while the objects
 * they are made of stay the same: its document (replaced on every change), its network record
 * (the same object while its file is unchanged) and the image name shown. Only {@code Status}
 * ("Exited (0) 5 minutes ago") is written at each call. A {@code docker ps -a} of 100 containers
 * then builds and serializes no JSON tree, which a daemon whose JIT has not warmed that path
 * yet pays for on every call.
 */
final class ContainerRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Put where Status goes while a row is serialized; no label or path holds this random word. */
    private static final String MARK = "status-" + UUID.randomUUID();
    private static final byte[] MARK_JSON = ("\"" + MARK + "\"").getBytes(StandardCharsets.UTF_8);

    private record Row(ContainerDocument doc, String image, Sandbox network, byte[] head, byte[] tail) {
        boolean of(ContainerDocument d, String img, Sandbox s) {
            return doc == d && network == s && image.equals(img);
        }
    }

    private final Map<String, Row> rows = new ConcurrentHashMap<>();

    /** Appends the row of {@code d} to {@code out}. */
    void write(ByteArrayOutputStream out, ContainerDocument d, String image, Optional<Sandbox> network, Instant now) {
        Sandbox s = network.orElse(null);
        Row r = rows.get(d.id());
        if (r == null || !r.of(d, image, s)) {
            r = row(d, image, network);
            rows.put(d.id(), r);
        }
        out.writeBytes(r.head);
        out.write('"');
        out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(d.state().describe(now) + ContainerJson.healthSuffix(d)));
        out.write('"');
        out.writeBytes(r.tail);
    }

    /** Forgets the rows of containers not in {@code ids} (removed ones). */
    void keepOnly(Set<String> ids) {
        if (rows.size() > ids.size()) {
            rows.keySet().retainAll(ids);
        }
    }

    private static Row row(ContainerDocument d, String image, Optional<Sandbox> network) {
        ObjectNode n = ContainerJson.summary(d, image, Instant.now(), network);
        n.put("Status", MARK);
        byte[] all;
        try {
            all = JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a container row as JSON: " + e.getMessage(), e);
        }
        int at = indexOf(all, MARK_JSON);
        return new Row(d, image, network.orElse(null), Arrays.copyOf(all, at), Arrays.copyOfRange(all, at + MARK_JSON.length, all.length));
    }

    private static int indexOf(byte[] b, byte[] word) {
        outer:
        for (int i = 0; i <= b.length - word.length; i++) {
            for (int k = 0; k < word.length; k++) {
                if (b[i + k] != word[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("the Status mark is missing from a container row");
    }
}
