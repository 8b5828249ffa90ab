package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.GetContainerRequest;
import io.jcontainerd.api.services.containers.v1.UpdateContainerRequest;
import io.jcontainerd.api.services.snapshots.v1.MountsRequest;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The Docker document of a container, kept in the daemon's metadata as the container record's
 * {@value #EXTENSION} extension (JSON), and what else the facade reads of that record: its OCI
 * spec and its snapshot's mounts.
 */
final class ContainerDocuments {
    static final String EXTENSION = "docker";
    static final String EXTENSION_TYPE = "types.jcontainerd.io/docker/v1/Container";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Containerd cd;

    ContainerDocuments(Containerd cd) {
        this.cd = cd;
    }

    /** The document as the record's extension. */
    static Any extension(ContainerDocument doc) {
        try {
            return Any.newBuilder().setTypeUrl(EXTENSION_TYPE).setValue(ByteString.copyFrom(JSON.writeValueAsBytes(doc))).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write container document as JSON: " + e.getMessage(), e);
        }
    }

    /** The document a record carries; empty for a record the facade did not create. */
    static Optional<ContainerDocument> of(Container record) throws IOException {
        Any ext = record.getExtensionsMap().get(EXTENSION);
        return ext == null ? Optional.empty() : Optional.of(JSON.readValue(ext.getValue().toByteArray(), ContainerDocument.class));
    }

    /** Keeps the document in the daemon's metadata; a record removed meanwhile is no error. */
    void persist(LiveContainer c) {
        ContainerDocument d = c.doc();
        try {
            cd.containers().update(UpdateContainerRequest.newBuilder()
                    .setContainer(Container.newBuilder().setId(d.id()).putExtensions(EXTENSION, extension(d)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("extensions." + EXTENSION)).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /** The container's OCI spec as stored (for exec's process defaults). */
    JsonNode spec(LiveContainer c) {
        Container got = cd.containers().get(GetContainerRequest.newBuilder().setId(c.id()).build()).getContainer();
        try {
            return JSON.readTree(AnyCodec.jsonOf(got.getSpec()));
        } catch (IOException e) {
            throw DockerApiException.internal("the spec of container %s is not JSON: %s", c.id(), e.getMessage());
        }
    }

    /** The mounts of the container's snapshot (for reading its /etc/passwd, and for a run's rootfs). */
    List<Mount> rootfs(LiveContainer c) {
        ContainerDocument d = c.doc();
        return cd.snapshots().mounts(MountsRequest.newBuilder().setSnapshotter(d.snapshotter()).setKey(d.id()).build()).getMountsList();
    }
}
