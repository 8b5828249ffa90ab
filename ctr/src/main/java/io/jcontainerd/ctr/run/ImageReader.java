package io.jcontainerd.ctr.run;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.ctr.client.Connection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.jcontainerd.ctr.run.JsonTree.member;
import static io.jcontainerd.ctr.run.JsonTree.text;
import static io.jcontainerd.ctr.run.JsonTree.texts;

/** Reads an image's config through the Images and Content services: index → host manifest → config. */
public final class ImageReader {
    private static final String HOST_ARCH = switch (System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT)) {
        case "x86_64", "amd64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        default -> System.getProperty("os.arch");
    };

    private final Connection connection;

    public ImageReader(Connection connection) {
        this.connection = connection;
    }

    public ImageConfig read(String name) {
        RunWire.Target target;
        try {
            target = RunWire.imageTarget(connection, name);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RunException("image " + name + " is not pulled: pull it first with `jctr images pull " + name + "`");
            }
            throw e;
        }
        Object manifest = manifest(name, target.mediaType(), target.digest());
        Object config = json(name, text(member(member(manifest, "config"), "digest"), ""));
        List<String> diffIds = texts(member(member(config, "rootfs"), "diff_ids"));
        Object c = member(config, "config");
        Map<String, String> labels = new LinkedHashMap<>();
        if (member(c, "Labels") instanceof Map<?, ?> l) {
            l.forEach((k, v) -> labels.put((String) k, v == null ? "null" : text(v, "")));
        }
        return new ImageConfig(name, diffIds, texts(member(c, "Env")), texts(member(c, "Entrypoint")),
                texts(member(c, "Cmd")), text(member(c, "WorkingDir"), ""),
                text(member(c, "User"), ""), text(member(c, "StopSignal"), ""), labels);
    }


    private Object manifest(String name, String mediaType, String digest) {
        Object node = json(name, digest);
        boolean index = mediaType.endsWith("image.index.v1+json") || mediaType.endsWith("manifest.list.v2+json")
                || (mediaType.isEmpty() && node instanceof Map<?, ?> n && n.containsKey("manifests"));
        if (!index) {
            return node;
        }
        List<?> manifests = member(node, "manifests") instanceof List<?> l ? l : List.of();
        for (Object m : manifests) {
            Object p = member(m, "platform");
            boolean hasPlatform = m instanceof Map<?, ?> mm && mm.containsKey("platform");
            if (!hasPlatform || ("linux".equals(text(member(p, "os"), "")) && HOST_ARCH.equals(text(member(p, "architecture"), "")))) {
                return manifest(name, text(member(m, "mediaType"), ""), text(member(m, "digest"), ""));
            }
        }
        throw new RunException("image " + name + " has no manifest for linux/" + HOST_ARCH + ": pull an image built for this machine");
    }

    private Object json(String name, String digest) {
        try {
            byte[] blob = RunWire.readContent(connection, digest, JsonTree.MAX_BYTES, () -> new RunException("blob " + digest
                    + " of image " + name + " is larger than " + JsonTree.MAX_BYTES + " bytes: not a manifest or config jctr reads"));
            return JsonTree.parse(blob);
        } catch (StatusRuntimeException e) {
            if (e.getCause() instanceof RunException tooLarge) {
                throw tooLarge;
            }
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RunException("image " + name + " is incomplete (blob " + digest
                        + " is missing): pull it again with `jctr images pull " + name + "`");
            }
            throw e;
        } catch (IllegalArgumentException e) {
            throw new RunException("blob " + digest + " of image " + name + " is not JSON: " + e.getMessage());
        }
    }
}
