package io.jcontainerd.proto;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jcontainerd.config.errdefs.JcdException;
import java.nio.charset.StandardCharsets;

/**
 * Builds and reads {@code google.protobuf.Any} by hand, with bare type URLs (see {@link TypeUrls}).
 * protobuf-java's {@code Any.pack} writes a prefixed URL and its {@code is}/{@code unpack} reject a
 * bare one, so neither is used anywhere in jcontainerd.
 */
public final class AnyCodec {

    private AnyCodec() {}

    /** Any(message) with the bare full name as type URL. */
    public static Any pack(Message message) {
        return Any.newBuilder()
                .setTypeUrl(TypeUrls.of(message))
                .setValue(message.toByteString())
                .build();
    }

    /** Any carrying JSON, e.g. {@code packJson(TypeUrls.OCI_SPEC, specJson)}. */
    public static Any packJson(String typeUrl, String json) {
        return Any.newBuilder()
                .setTypeUrl(typeUrl)
                .setValue(ByteString.copyFrom(json, StandardCharsets.UTF_8))
                .build();
    }

    /** Whether {@code any} holds a message of {@code type}'s kind (bare or prefixed URL). */
    public static boolean is(Any any, Message type) {
        return TypeUrls.names(any.getTypeUrl(), type.getDescriptorForType());
    }

    /**
     * The message inside {@code any}, decoded as the type of {@code prototype} (pass the default
     * instance, e.g. {@code Options.getDefaultInstance()}).
     *
     * @throws JcdException INVALID_ARGUMENT when the URL names another type or the bytes do not parse
     */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T unpack(Any any, T prototype) {
        if (!is(any, prototype)) {
            throw JcdException.invalidArgument(
                    "expected an Any of type %s but got type URL \"%s\"",
                    TypeUrls.of(prototype), any.getTypeUrl());
        }
        try {
            return (T) prototype.getParserForType().parseFrom(any.getValue());
        } catch (InvalidProtocolBufferException e) {
            throw JcdException.invalidArgument(
                    "Any of type %s does not parse (%s): resend it encoded as that message",
                    any.getTypeUrl(), e.getMessage());
        }
    }

    /** The JSON text of an Any that carries JSON (OCI spec, process, resources). */
    public static String jsonOf(Any any) {
        return any.getValue().toStringUtf8();
    }
}
