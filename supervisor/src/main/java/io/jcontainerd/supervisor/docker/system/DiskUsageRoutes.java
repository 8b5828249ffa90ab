package io.jcontainerd.supervisor.docker.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.containers.ContainerJson;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.images.LocalImage;
import io.jcontainerd.supervisor.docker.volumes.Volume;
import io.jcontainerd.supervisor.docker.volumes.VolumeMounts;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /system/df} ({@code docker system df}): the images with their sizes (unpacked, as
 * {@code docker images} shows them), the part shared with other images and how many containers use
 * each, LayersSize (every layer once), the containers, the volumes with their size and users; no
 * build cache.
 */
public final class DiskUsageRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ContainerManager containers;
    private final ImageStore images;
    private final VolumeMounts volumes;

    public DiskUsageRoutes(ContainerManager containers, ImageStore images, VolumeMounts volumes) {
        this.containers = containers;
        this.images = images;
        this.volumes = volumes;
    }

    public void register(Router r) {
        r.add("GET", "/system/df", this::df);
    }

    void df(Request q, Exchange x) {
        ObjectNode out = JSON.createObjectNode();
        List<LocalImage> all = images.list();
        // as dockerd: a layer is its chain (the diff_ids up to it); LayersSize counts each layer once,
        // an image's SharedSize sums its layers that another image has too
        Map<List<String>, Long> layerSize = new HashMap<>();
        Map<List<String>, Integer> layerImages = new HashMap<>();
        for (LocalImage i : all) {
            for (int k = 0; k < Math.min(i.diffIds().size(), i.layerSizes().size()); k++) {
                List<String> chain = i.diffIds().subList(0, k + 1);
                layerSize.put(chain, i.layerSizes().get(k));
                layerImages.merge(chain, 1, Integer::sum);
            }
        }
        long layers = layerSize.values().stream().mapToLong(Long::longValue).sum();
        ArrayNode imgs = JSON.createArrayNode();
        for (LocalImage i : all) {
            long shared = 0;
            for (int k = 0; k < Math.min(i.diffIds().size(), i.layerSizes().size()); k++) {
                if (layerImages.get(i.diffIds().subList(0, k + 1)) > 1) {
                    shared += i.layerSizes().get(k);
                }
            }
            long users = containers.all().stream().filter(c -> c.doc().imageId().equals(i.id())).count();
            ObjectNode n = imgs.addObject().put("Containers", users).put("Created", created(i)).put("Id", i.id());
            n.putObject("Labels");
            n.put("ParentId", "");
            ArrayNode tags = n.putArray("RepoTags");
            i.names().forEach(tags::add);
            n.putArray("RepoDigests");
            n.put("SharedSize", shared).put("Size", i.size()).put("VirtualSize", i.size());
        }
        out.put("LayersSize", layers);
        out.set("Images", imgs);
        ArrayNode cs = out.putArray("Containers");
        Instant now = Instant.now();
        for (LiveContainer c : containers.all()) {
            ObjectNode s = ContainerJson.summary(c.doc(), c.doc().image(), now, java.util.Optional.empty());
            s.put("SizeRw", 0).put("SizeRootFs", all.stream().filter(i -> i.id().equals(c.doc().imageId()))
                    .mapToLong(LocalImage::size).findFirst().orElse(0));
            cs.add(s);
        }
        ArrayNode vs = out.putArray("Volumes");
        for (Volume v : volumes.store().all()) {
            ObjectNode n = v.json();
            n.putObject("UsageData").put("Size", volumes.store().size(v)).put("RefCount", volumes.users(v.name()).size());
            vs.add(n);
        }
        out.putArray("BuildCache");
        x.json(200, out);
    }

    private static long created(LocalImage i) {
        try {
            return Instant.parse(i.config().path("created").asText("")).getEpochSecond();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
