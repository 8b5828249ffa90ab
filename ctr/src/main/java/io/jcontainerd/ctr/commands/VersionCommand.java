package io.jcontainerd.ctr.commands;

import com.google.protobuf.Empty;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.ctr.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code jctr version}: client and server versions, as ctr prints them. */
@Command(name = "version", description = "print the client and server versions")
public final class VersionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("Client:");
        out.println("  Version:  " + Main.CLIENT_VERSION);
        out.println("  Revision: jctr-" + Main.CLIENT_VERSION);
        out.println("  Java version: " + Runtime.version());
        out.println();
        out.flush();
        try (var conn = Main.of(spec).connect()) {
            var v = VersionGrpc.newBlockingStub(conn.channel()).version(Empty.getDefaultInstance());
            var s = IntrospectionGrpc.newBlockingStub(conn.channel()).server(Empty.getDefaultInstance());
            out.println("Server:");
            out.println("  Version:  " + v.getVersion());
            out.println("  Revision: " + v.getRevision());
            out.println("  UUID: " + s.getUuid());
        }
        return 0;
    }
}
