package io.jcontainerd.ctr.commands;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One protobuf message's bytes, written field by field as protobuf-java's generated code writes them (fields in the
 * order given, which callers keep to the field numbers' order; proto3 scalars and strings left out when they hold their
 * default), for the requests {@code run} sends on the wire ({@link WireCall}). Not protobuf's {@code CodedOutputStream}:
 * its initialiser asks {@code UnsafeUtil}, which reaches {@code sun.misc.Unsafe} by reflection (a method handle spun
 * at run time) and looks Android's classes up by name, a miss that reads the class path's jar (README "Performance",
 * session 13). RunWireTest and TaskWireTest hold these bytes to the generated messages'.
 */
public final class WireMessage {
    private static final int VARINT = 0, LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A string field; nothing when empty, as proto3 writes a string that holds its default. */
    public WireMessage string(int field, String value) {
        return value.isEmpty() ? this : bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A string field written even when empty (a map entry's key and value). */
    public WireMessage stringAlways(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-delimited field: a bytes field, or a nested message's bytes (written even when empty, as a set message is). */
    public WireMessage bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        varint(value.length);
        out.writeBytes(value);
        return this;
    }

    /** A nested message. */
    public WireMessage message(int field, WireMessage value) {
        return bytes(field, value.toByteArray());
    }

    /** A bool field; nothing when false. */
    public WireMessage bool(int field, boolean value) {
        if (value) {
            tag(field, VARINT);
            varint(1);
        }
        return this;
    }

    /** A uint32 field; nothing when 0. */
    public WireMessage uint32(int field, int value) {
        if (value != 0) {
            tag(field, VARINT);
            varint(Integer.toUnsignedLong(value));
        }
        return this;
    }

    /**
     * A map&lt;string, string&gt; field: one entry message per pair in the map's order, key (1) and value (2) written
     * even when empty, as protobuf-java's map entries are.
     */
    public WireMessage stringMap(int field, Map<String, String> map) {
        for (Map.Entry<String, String> e : map.entrySet()) {
            message(field, new WireMessage().stringAlways(1, e.getKey()).stringAlways(2, e.getValue()));
        }
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        varint(field << 3 | wireType);
    }

    private void varint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
