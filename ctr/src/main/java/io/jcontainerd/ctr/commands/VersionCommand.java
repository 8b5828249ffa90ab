package io.jcontainerd.ctr.commands;

import com.google.protobuf.Empty;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.client.Connection;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** {@code jctr version}: client and server versions, as ctr prints them (model built in code: {@link Specs}). */
public final class VersionCommand implements Callable<Integer> {
    private final CommandSpec spec;

    private VersionCommand() {
        spec = Specs.command(this, "version", "print the client and server versions");
    }

    public static CommandSpec spec() {
        return new VersionCommand().spec;
    }

    @Override
    public Integer call() {
        print(spec.commandLine().getOut(), Main.of(spec)::connect);
        return 0;
    }

    /** Prints the client's versions, then asks the daemon for its own on a connection {@code connect} opens. */
    public static void print(PrintWriter out, Supplier<Connection> connect) {
        out.println("Client:");
        out.println("  Version:  " + Main.CLIENT_VERSION);
        out.println("  Revision: jctr-" + Main.CLIENT_VERSION);
        out.println("  Java version: " + Runtime.version());
        out.println();
        out.flush();
        try (var conn = connect.get()) {
            var v = VersionGrpc.newBlockingStub(conn.channel()).version(Empty.getDefaultInstance());
            var s = IntrospectionGrpc.newBlockingStub(conn.channel()).server(Empty.getDefaultInstance());
            out.println("Server:");
            out.println("  Version:  " + v.getVersion());
            out.println("  Revision: " + v.getRevision());
            out.println("  UUID: " + s.getUuid());
        }
    }
}
