package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.ctr.client.Connection;

import java.io.IOException;

/**
 * What {@code jctr version} prints of the daemon: Version/Version's version and revision and
 * Introspection/Server's UUID, read from the wire ({@link WireCall}). ServerVersionTest holds this
 * reading to the generated parsers'.
 */
record ServerVersion(String version, String revision, String uuid) {
    static ServerVersion ask(Connection connection) {
        // SERVICE_NAME is a compile-time constant: naming it does not load the generated stub class
        String[] version = WireCall.call(connection, VersionGrpc.SERVICE_NAME, "Version", ServerVersion::readVersion);
        String uuid = WireCall.call(connection, IntrospectionGrpc.SERVICE_NAME, "Server", ServerVersion::readUuid);
        return new ServerVersion(version[0], version[1], uuid);
    }

    /** VersionResponse: 1 = version, 2 = revision. */
    static String[] readVersion(CodedInputStream in) throws IOException {
        return WireCall.readStrings(in, "", "");
    }

    /** ServerResponse: 1 = uuid (2 = pid, 3 = pidns, 4 = deprecations: skipped). */
    static String readUuid(CodedInputStream in) throws IOException {
        return WireCall.readStrings(in, "")[0];
    }
}
