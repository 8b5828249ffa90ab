package io.jcontainerd.proto;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;

/**
 * The type URLs containerd's clients put in and expect from {@code google.protobuf.Any}.
 *
 * <p>Protobuf payloads use the BARE full message name ("containerd.events.TaskExit"), not
 * "type.googleapis.com/containerd.events.TaskExit": ctr 1.6 and dockerd 20.10 look the URL up as an
 * exact message name and fail on a prefixed one. OCI runtime-spec values travel as JSON under the
 * {@code types.containerd.io/...} URLs below.
 */
public final class TypeUrls {

    /** The prefix protobuf-java's own {@code Any.pack} would add; accepted on input only. */
    public static final String GOOGLE_PREFIX = "type.googleapis.com/";

    private static final String RUNTIME_SPEC = "types.containerd.io/opencontainers/runtime-spec/1/";

    /** Container.spec: the OCI runtime spec, JSON. */
    public static final String OCI_SPEC = RUNTIME_SPEC + "Spec";
    /** ExecProcessRequest.spec: an OCI process, JSON. */
    public static final String OCI_PROCESS = RUNTIME_SPEC + "Process";
    /** UpdateTaskRequest.resources on Linux, JSON. */
    public static final String OCI_LINUX_RESOURCES = RUNTIME_SPEC + "LinuxResources";
    /** UpdateTaskRequest.resources on Windows, JSON. */
    public static final String OCI_WINDOWS_RESOURCES = RUNTIME_SPEC + "WindowsResources";

    private TypeUrls() {}

    /** The bare URL for a message type, e.g. "containerd.runc.v1.Options". */
    public static String of(Descriptor type) {
        return type.getFullName();
    }

    /** The bare URL for a message's type. */
    public static String of(Message message) {
        return of(message.getDescriptorForType());
    }

    /**
     * The protobuf message name a URL names: the URL itself when bare, the part after
     * {@link #GOOGLE_PREFIX} when prefixed (newer Go clients using anypb send those).
     */
    public static String messageName(String typeUrl) {
        return typeUrl.startsWith(GOOGLE_PREFIX) ? typeUrl.substring(GOOGLE_PREFIX.length()) : typeUrl;
    }

    /** Whether {@code typeUrl} names {@code type}, in either spelling. */
    public static boolean names(String typeUrl, Descriptor type) {
        return messageName(typeUrl).equals(type.getFullName());
    }
}
