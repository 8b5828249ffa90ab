package io.jcontainerd.proto;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jcontainerd.api.cgroups.v1.Metrics;
import io.jcontainerd.api.events.ContainerCreate;
import io.jcontainerd.api.events.ContainerDelete;
import io.jcontainerd.api.events.ContainerUpdate;
import io.jcontainerd.api.events.ContentCreate;
import io.jcontainerd.api.events.ContentDelete;
import io.jcontainerd.api.events.ImageCreate;
import io.jcontainerd.api.events.ImageDelete;
import io.jcontainerd.api.events.ImageUpdate;
import io.jcontainerd.api.events.NamespaceCreate;
import io.jcontainerd.api.events.NamespaceDelete;
import io.jcontainerd.api.events.NamespaceUpdate;
import io.jcontainerd.api.events.SnapshotCommit;
import io.jcontainerd.api.events.SnapshotPrepare;
import io.jcontainerd.api.events.SnapshotRemove;
import io.jcontainerd.api.events.TaskCheckpointed;
import io.jcontainerd.api.events.TaskCreate;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExecAdded;
import io.jcontainerd.api.events.TaskExecStarted;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.events.TaskOOM;
import io.jcontainerd.api.events.TaskPaused;
import io.jcontainerd.api.events.TaskResumed;
import io.jcontainerd.api.events.TaskStart;
import io.jcontainerd.api.runc.v1.CheckpointOptions;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.runc.v1.ProcessDetails;
import io.jcontainerd.api.services.streaming.v1.StreamInit;
import io.jcontainerd.api.types.transfer.AuthRequest;
import io.jcontainerd.api.types.transfer.AuthResponse;
import io.jcontainerd.api.types.transfer.Data;
import io.jcontainerd.api.types.transfer.ImageExportStream;
import io.jcontainerd.api.types.transfer.ImageImportStream;
import io.jcontainerd.api.types.transfer.ImageStore;
import io.jcontainerd.api.types.transfer.OCIRegistry;
import io.jcontainerd.api.types.transfer.Progress;
import io.jcontainerd.api.types.transfer.WindowUpdate;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every protobuf message that travels inside an Any in containerd's API, by bare type URL, so an
 * Any can be decoded without knowing its type in advance (event filters on {@code event.<field>},
 * logging, {@code jctr events}).
 */
public final class KnownMessages {

    private static final Map<String, Message> BY_NAME = Stream.<Message>of(
                    // event payloads
                    ContainerCreate.getDefaultInstance(), ContainerUpdate.getDefaultInstance(),
                    ContainerDelete.getDefaultInstance(), ContentCreate.getDefaultInstance(),
                    ContentDelete.getDefaultInstance(), ImageCreate.getDefaultInstance(),
                    ImageUpdate.getDefaultInstance(), ImageDelete.getDefaultInstance(),
                    NamespaceCreate.getDefaultInstance(), NamespaceUpdate.getDefaultInstance(),
                    NamespaceDelete.getDefaultInstance(), SnapshotPrepare.getDefaultInstance(),
                    SnapshotCommit.getDefaultInstance(), SnapshotRemove.getDefaultInstance(),
                    TaskCreate.getDefaultInstance(), TaskStart.getDefaultInstance(),
                    TaskDelete.getDefaultInstance(), TaskExit.getDefaultInstance(),
                    TaskOOM.getDefaultInstance(), TaskExecAdded.getDefaultInstance(),
                    TaskExecStarted.getDefaultInstance(), TaskPaused.getDefaultInstance(),
                    TaskResumed.getDefaultInstance(), TaskCheckpointed.getDefaultInstance(),
                    // runtime options and process details
                    Options.getDefaultInstance(), CheckpointOptions.getDefaultInstance(),
                    ProcessDetails.getDefaultInstance(),
                    io.jcontainerd.api.runtimeoptions.v1.Options.getDefaultInstance(),
                    // task metrics
                    Metrics.getDefaultInstance(),
                    io.jcontainerd.api.cgroups.v2.Metrics.getDefaultInstance(),
                    // transfer and streaming
                    OCIRegistry.getDefaultInstance(), ImageStore.getDefaultInstance(),
                    ImageImportStream.getDefaultInstance(), ImageExportStream.getDefaultInstance(),
                    Progress.getDefaultInstance(), AuthRequest.getDefaultInstance(),
                    AuthResponse.getDefaultInstance(), Data.getDefaultInstance(),
                    WindowUpdate.getDefaultInstance(), StreamInit.getDefaultInstance())
            .collect(Collectors.toUnmodifiableMap(TypeUrls::of, Function.identity()));

    private KnownMessages() {}

    /** The default instance of the message a type URL (bare or prefixed) names, if known. */
    public static Optional<Message> prototype(String typeUrl) {
        return Optional.ofNullable(BY_NAME.get(TypeUrls.messageName(typeUrl)));
    }

    /**
     * The decoded message, or empty when the URL is not a known protobuf type (OCI JSON payloads,
     * a client's private types) or its bytes do not parse.
     */
    public static Optional<Message> decode(Any any) {
        return prototype(any.getTypeUrl()).flatMap(prototype -> {
            try {
                return Optional.of(prototype.getParserForType().parseFrom(any.getValue()));
            } catch (InvalidProtocolBufferException e) {
                return Optional.empty();
            }
        });
    }
}
