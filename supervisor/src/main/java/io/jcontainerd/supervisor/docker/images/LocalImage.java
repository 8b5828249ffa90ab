package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.api.types.Descriptor;

import java.util.List;

/**
 * An image of the facade's namespace as Docker shows it: its ID is the config digest, its
 * names the image records pointing at it.
 *
 * @param names   the image records' names ({@code docker.io/library/busybox:latest}), sorted
 * @param target  what the names point at (index or manifest)
 * @param manifest the host platform's manifest digest
 * @param config  the image config JSON (architecture, os, config, rootfs, history, created)
 * @param layerSizes each layer's unpacked size in bytes, in the order of diffIds ({@link UnpackedSize})
 * @param repoDigests {@code repo@digest} as dockerd's RepoDigests: each pulled name's repository with the digest it was
 *                    pulled by, each pushed name's with the digest of the manifest pushed ({@link ImageStore#recordRepoDigest})
 */
public record LocalImage(String id, List<String> names, Descriptor target, String manifest, JsonNode config,
                         List<String> diffIds, List<Long> layerSizes, List<String> repoDigests) {

    /** The image's size as dockerd 20.10 gives it (Size, VirtualSize): its layers' unpacked sizes summed. */
    public long size() {
        return layerSizes.stream().mapToLong(Long::longValue).sum();
    }

    /** The image config's {@code config} object (Cmd, Entrypoint, Env, WorkingDir, User, Labels, ...). */
    public JsonNode runConfig() {
        return config.path("config");
    }

    /** The creation time from the config, or empty. */
    public String created() {
        return config.path("created").asText("");
    }

    public List<String> strings(String field) {
        return ImageStore.strings(runConfig().path(field));
    }
}
