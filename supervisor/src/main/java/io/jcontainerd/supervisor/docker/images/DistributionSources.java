package io.jcontainerd.supervisor.docker.images;

import com.google.protobuf.FieldMask;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.UpdateRequest;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.push.MountSources;
import io.jcontainerd.supervisor.docker.Containerd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where a blob is known to be on a registry, as containerd keeps it: the content label
 * {@code containerd.io/distribution.source.<host>} = comma-separated repository paths, set by
 * pulls and, here, by pushes. A push mounts a blob from one of them (dockerd's v2 metadata does
 * the same for it).
 */
final class DistributionSources implements MountSources {
    private static final Logger LOG = Logger.getLogger(DistributionSources.class.getName());
    static final String PREFIX = "containerd.io/distribution.source.";
    /** A label value stays short: at most this many repositories are kept per host (the newest last). */
    private static final int MAX_REPOSITORIES = 8;
    private final Containerd cd;

    DistributionSources(Containerd cd) {
        this.cd = cd;
    }

    @Override
    public List<String> repositories(Descriptor blob, String host) {
        try {
            String v = cd.content().info(InfoRequest.newBuilder().setDigest(blob.digest().toString()).build()).getInfo()
                    .getLabelsMap().getOrDefault(PREFIX + host, "");
            List<String> repos = v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).filter(r -> !r.isBlank()).toList();
            return repos.reversed(); // the newest first, as dockerd picks its mount candidate
        } catch (StatusRuntimeException e) {
            return List.of();
        }
    }

    /** The repositories in the label's order (oldest first). */
    private List<String> recorded(Descriptor blob, String host) {
        try {
            String v = cd.content().info(InfoRequest.newBuilder().setDigest(blob.digest().toString()).build()).getInfo()
                    .getLabelsMap().getOrDefault(PREFIX + host, "");
            return v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).filter(r -> !r.isBlank()).toList();
        } catch (StatusRuntimeException e) {
            return List.of();
        }
    }

    /** Records that repository {@code repository} of {@code host} has the blob now (after a push). */
    void add(Descriptor blob, String host, String repository) {
        List<String> repos = new ArrayList<>(recorded(blob, host));
        if (!repos.isEmpty() && repos.getLast().equals(repository)) {
            return;
        }
        repos.remove(repository);
        repos.add(repository);
        while (repos.size() > MAX_REPOSITORIES) {
            repos.removeFirst();
        }
        String key = PREFIX + host;
        try {
            cd.content().update(UpdateRequest.newBuilder()
                    .setInfo(Info.newBuilder().setDigest(blob.digest().toString()).putLabels(key, String.join(",", repos)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels." + key)).build());
        } catch (StatusRuntimeException e) {
            // a later push uploads what it could have mounted; nothing else depends on it
            LOG.log(Level.FINE, "cannot label blob " + blob.digest() + " with its source " + host + "/" + repository, e);
        }
    }
}
