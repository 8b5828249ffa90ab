package io.jcontainerd.supervisor.events;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.proto.KnownMessages;
import io.jcontainerd.proto.Timestamps;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One event as the exchange carries it: containerd's Envelope. The payload stays an Any with a
 * bare type URL, forwarded byte for byte.
 */
public record Event(Instant timestamp, String namespace, String topic, Any payload) {

    /** An event forwarded as it is (Events/Forward over gRPC, or a shim's over ttrpc): it must carry its time and a valid namespace. */
    public static Event forwarded(Envelope envelope) {
        Instant time = Timestamps.toInstant(envelope.getTimestamp())
                .orElseThrow(() -> JcdException.invalidArgument("forwarded event on %s has no timestamp", envelope.getTopic()));
        Identifiers.validate("namespace", envelope.getNamespace());
        return new Event(time, envelope.getNamespace(), envelope.getTopic(), envelope.getEvent());
    }

    /**
     * Field values for containerd's event filters: {@code namespace}, {@code topic} and
     * {@code event.<field>} of a payload type we know (string and number fields).
     */
    public Optional<String> field(List<String> path) {
        if (path.size() == 1) {
            return switch (path.getFirst()) {
                case "namespace" -> Optional.of(namespace);
                case "topic" -> Optional.of(topic);
                default -> Optional.empty();
            };
        }
        if (path.size() == 2 && path.getFirst().equals("event")) {
            return KnownMessages.decode(payload).flatMap(m -> fieldOf(m, path.get(1)));
        }
        return Optional.empty();
    }

    private static Optional<String> fieldOf(Message m, String name) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        if (f == null || f.isRepeated() || f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            return Optional.empty();
        }
        return Optional.of(String.valueOf(m.getField(f)));
    }
}
