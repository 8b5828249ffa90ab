package io.jcontainerd.supervisor.containers;

import java.util.Arrays;

/**
 * A payload the daemon stores and returns byte for byte without reading it: a google.protobuf.Any's
 * type URL and value (the OCI spec as JSON, runtime options as protobuf). Clients decode these
 * themselves, so they must come back exactly as sent.
 */
public record Opaque(String typeUrl, byte[] value) {
    public Opaque {
        typeUrl = typeUrl == null ? "" : typeUrl;
        value = value == null ? new byte[0] : value.clone();
    }

    public boolean isEmpty() {
        return typeUrl.isEmpty() && value.length == 0;
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Opaque other && typeUrl.equals(other.typeUrl) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return typeUrl.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Opaque[" + typeUrl + ", " + value.length + " bytes]";
    }
}
