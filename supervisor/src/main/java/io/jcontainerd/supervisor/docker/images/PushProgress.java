package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.push.PushListener;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Docker's JSON progress lines of a push, as dockerd 20.10 writes them: "The push refers to
 * repository [...]", per layer "Preparing", "Pushing" (progressDetail and a bar, at most one line
 * per 512 KiB sent), "Pushed", "Mounted from REPO" or "Layer already exists", then "TAG: digest: sha256:... size: N"
 * and the aux object {Tag, Digest, Size}. Layers are named by the first 12 hex digits of their
 * diff ID, as dockerd names them; the config is pushed without lines of its own.
 */
final class PushProgress implements PushListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP = 512 * 1024;
    private final Map<String, String> layerIds;
    private final Consumer<byte[]> out;
    private final Map<String, Long> lastShown = new java.util.HashMap<>();

    /** {@code layerIds}: the short ID to show per layer digest; blobs not in it (the config) get no lines. */
    PushProgress(Map<String, String> layerIds, Consumer<byte[]> out) {
        this.layerIds = layerIds;
        this.out = out;
    }

    static byte[] start(ImageName repository) {
        return line(JSON.createObjectNode().put("status", "The push refers to repository [" + repository.familiarRepository() + "]"));
    }

    @Override
    public void preparing(Descriptor blob) {
        status(blob, "Preparing");
    }

    @Override
    public void exists(Descriptor blob) {
        status(blob, "Layer already exists");
    }

    @Override
    public void pushing(Descriptor blob, long sent) {
        String id = layerIds.get(blob.digest().toString());
        if (id == null) {
            return;
        }
        Long last = lastShown.get(id);
        if (last != null && sent - last < STEP && sent < blob.size()) {
            return;
        }
        lastShown.put(id, sent);
        ObjectNode n = JSON.createObjectNode().put("status", "Pushing");
        n.putObject("progressDetail").put("current", sent).put("total", blob.size());
        n.put("progress", PullProgress.bar(sent, blob.size()));
        n.put("id", id);
        out.accept(line(n));
    }

    @Override
    public void mounted(Descriptor blob, String from) {
        status(blob, "Mounted from " + from);
    }

    @Override
    public void pushed(Descriptor blob) {
        status(blob, "Pushed");
    }

    /** The closing lines: {@code latest: digest: sha256:… size: 527} and the aux object the CLI reads. */
    static List<byte[]> done(String tag, String digest, long size) {
        ObjectNode aux = JSON.createObjectNode();
        aux.putObject("progressDetail");
        aux.putObject("aux").put("Tag", tag).put("Digest", digest).put("Size", size);
        return List.of(line(JSON.createObjectNode().put("status", tag + ": digest: " + digest + " size: " + size)), line(aux));
    }

    private void status(Descriptor blob, String status) {
        String id = layerIds.get(blob.digest().toString());
        if (id == null) {
            return;
        }
        ObjectNode n = JSON.createObjectNode().put("status", status);
        n.putObject("progressDetail");
        n.put("id", id);
        out.accept(line(n));
    }

    private static byte[] line(ObjectNode n) {
        try {
            return (JSON.writeValueAsString(n) + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
