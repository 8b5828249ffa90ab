package io.jcontainerd.ctr.commands;

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
            ServerVersion server = ServerVersion.ask(conn);
            out.println("Server:");
            out.println("  Version:  " + server.version());
            out.println("  Revision: " + server.revision());
            out.println("  UUID: " + server.uuid());
        }
    }
}
