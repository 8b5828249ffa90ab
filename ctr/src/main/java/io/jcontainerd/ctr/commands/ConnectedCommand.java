package io.jcontainerd.ctr.commands;

import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.client.Connection;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** A subcommand that talks to the daemon: opens the connection of the global options, runs, closes it. */
abstract class ConnectedCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() {
        try (Connection conn = Main.of(spec).connect()) {
            return run(conn);
        }
    }

    abstract int run(Connection conn);
}
