package io.jcontainerd.shim;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jcontainerd.api.cgroups.v1.Metrics;
import io.jcontainerd.api.events.TaskCreate;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExecAdded;
import io.jcontainerd.api.events.TaskExecStarted;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.events.TaskIO;
import io.jcontainerd.api.events.TaskPaused;
import io.jcontainerd.api.events.TaskResumed;
import io.jcontainerd.api.events.TaskStart;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.runc.v1.ProcessDetails;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;

import java.util.Map;

/**
 * The {@code google.protobuf.Any}s the shim writes (task events, exec details, stats) and reads (the runc
 * options of a create), by the bare type names of their messages written out here. protobuf-java knows a
 * message's name only from its descriptor ({@link AnyCodec#pack}), and the first descriptor a JVM asks for
 * builds its file's descriptors and loads protobuf's descriptor classes (130 of them, 1.4 MB of the shim's
 * AOT cache, all loaded into every shim at its start) and their heap objects: the shim asks for none.
 * AnyTypesTest holds each name equal to its descriptor's.
 */
public final class AnyTypes {
    static final String RUNC_OPTIONS = "containerd.runc.v1.Options";

    static final Map<Class<? extends Message>, String> NAMES = Map.ofEntries(
            Map.entry(TaskCreate.class, "containerd.events.TaskCreate"),
            Map.entry(TaskStart.class, "containerd.events.TaskStart"),
            Map.entry(TaskDelete.class, "containerd.events.TaskDelete"),
            Map.entry(TaskIO.class, "containerd.events.TaskIO"),
            Map.entry(TaskExit.class, "containerd.events.TaskExit"),
            Map.entry(TaskExecAdded.class, "containerd.events.TaskExecAdded"),
            Map.entry(TaskExecStarted.class, "containerd.events.TaskExecStarted"),
            Map.entry(TaskPaused.class, "containerd.events.TaskPaused"),
            Map.entry(TaskResumed.class, "containerd.events.TaskResumed"),
            Map.entry(ProcessDetails.class, "containerd.runc.v1.ProcessDetails"),
            Map.entry(Metrics.class, "io.containerd.cgroups.v1.Metrics"),
            Map.entry(Options.class, RUNC_OPTIONS));

    private AnyTypes() {
    }

    /** Any(message) with its bare type name, as {@link AnyCodec#pack} makes it. */
    public static Any pack(Message message) {
        String name = NAMES.get(message.getClass());
        if (name == null) {
            return AnyCodec.pack(message);
        }
        return Any.newBuilder().setTypeUrl(name).setValue(message.toByteString()).build();
    }

    /**
     * The runc options a create carries: the defaults when it has none or an Any of another type (as the
     * supervisor sends for a runtime that is not runc's).
     *
     * @throws JcdException INVALID_ARGUMENT when the options do not parse
     */
    public static Options runcOptions(Any options) {
        if (!RUNC_OPTIONS.equals(TypeUrls.messageName(options.getTypeUrl()))) {
            return Options.getDefaultInstance();
        }
        try {
            return Options.parseFrom(options.getValue());
        } catch (InvalidProtocolBufferException e) {
            throw JcdException.invalidArgument("Any of type %s does not parse (%s): resend it encoded as that message",
                    options.getTypeUrl(), e.getMessage());
        }
    }
}
