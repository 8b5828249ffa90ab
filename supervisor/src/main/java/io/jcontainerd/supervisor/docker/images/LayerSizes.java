package io.jcontainerd.supervisor.docker.images;

import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.UpdateRequest;
import io.jcontainerd.snapshot.apply.tar.TarFormatException;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The unpacked size of each layer blob ({@link UnpackedSize}), read from the blob once: kept in
 * memory and as the label {@value #LABEL} on the blob, so that neither a second image with the
 * layer nor a daemon restart reads the layer again.
 */
final class LayerSizes {
    static final String LABEL = "jcontainerd.io/docker.unpacked-size";
    private static final Logger LOG = Logger.getLogger(LayerSizes.class.getName());

    private final Containerd cd;
    private final Map<String, Long> byBlob = new ConcurrentHashMap<>();

    LayerSizes(Containerd cd) {
        this.cd = cd;
    }

    /** The unpacked size of the layer blob {@code digest} of image {@code image}. */
    long of(String image, String digest) {
        Long known = byBlob.get(digest);
        if (known != null) {
            return known;
        }
        Info info;
        try {
            info = cd.content().info(InfoRequest.newBuilder().setDigest(digest).build()).getInfo();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw DockerApiException.notFound("image %s is incomplete (layer %s is missing): pull it again", image, digest);
            }
            throw e;
        }
        String label = info.getLabelsMap().getOrDefault(LABEL, "");
        if (label.matches("[0-9]{1,18}")) {
            long size = Long.parseLong(label);
            byBlob.put(digest, size);
            return size;
        }
        long size = measure(image, digest);
        byBlob.put(digest, size);
        try {
            cd.content().update(UpdateRequest.newBuilder()
                    .setInfo(Info.newBuilder().setDigest(digest).putLabels(LABEL, Long.toString(size)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels." + LABEL)).build());
        } catch (StatusRuntimeException e) {
            // measured again after a restart; the size is right either way
            LOG.log(Level.FINE, "cannot label layer " + digest + " with its unpacked size", e);
        }
        return size;
    }

    private long measure(String image, String digest) {
        try (InputStream tar = LayerTar.open(cd, digest)) {
            return UnpackedSize.of(tar);
        } catch (TarFormatException e) {
            throw DockerApiException.internal("layer %s of image %s is not a valid tar stream (%s): pull the image again", digest, image, e.getMessage());
        } catch (IOException e) {
            throw DockerApiException.internal("cannot read layer %s of image %s to measure its size: %s", digest, image, e.getMessage());
        }
    }
}
