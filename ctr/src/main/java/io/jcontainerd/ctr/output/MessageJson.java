package io.jcontainerd.ctr.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A protobuf message as JSON with its proto field names (container_id, exit_status), the way ctr
 * prints event payloads; timestamps as RFC 3339. Written on Jackson so that jctr does not need
 * protobuf-java-util and its dependencies on the start path.
 */
public final class MessageJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private MessageJson() {
    }

    public static String compact(Message m) {
        return tree(m).toString();
    }

    public static String pretty(Message m) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree(m));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return tree(m).toString();
        }
    }

    static JsonNode tree(Message m) {
        if (m instanceof Timestamp t) {
            return F.textNode(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString());
        }
        ObjectNode o = F.objectNode();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            if (f.isMapField()) {
                ObjectNode map = o.putObject(f.getName());
                for (Object entry : (List<?>) e.getValue()) {
                    Message me = (Message) entry;
                    Object k = me.getField(me.getDescriptorForType().findFieldByName("key"));
                    FieldDescriptor vf = me.getDescriptorForType().findFieldByName("value");
                    map.set(String.valueOf(k), value(vf, me.getField(vf)));
                }
            } else if (f.isRepeated()) {
                ArrayNode a = o.putArray(f.getName());
                ((List<?>) e.getValue()).forEach(v -> a.add(value(f, v)));
            } else {
                o.set(f.getName(), value(f, e.getValue()));
            }
        }
        return o;
    }

    private static JsonNode value(FieldDescriptor f, Object v) {
        return switch (f.getJavaType()) {
            case MESSAGE -> tree((Message) v);
            case INT -> f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32
                    ? F.numberNode(Integer.toUnsignedLong((Integer) v)) : F.numberNode((Integer) v);
            case LONG -> F.numberNode((Long) v);
            case FLOAT -> F.numberNode((Float) v);
            case DOUBLE -> F.numberNode((Double) v);
            case BOOLEAN -> F.booleanNode((Boolean) v);
            case STRING -> F.textNode((String) v);
            case BYTE_STRING -> F.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> F.textNode(((com.google.protobuf.Descriptors.EnumValueDescriptor) v).getName());
        };
    }
}
