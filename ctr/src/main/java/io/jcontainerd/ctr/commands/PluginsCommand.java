package io.jcontainerd.ctr.commands;

import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.introspection.v1.Plugin;
import io.jcontainerd.api.services.introspection.v1.PluginsRequest;
import io.jcontainerd.api.types.Platform;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code jctr plugins}: what the daemon serves. */
@Command(name = "plugins", aliases = "plugin", description = "provides information about the daemon's plugins",
        subcommands = PluginsCommand.Ls.class)
public final class PluginsCommand {

    @Command(name = "ls", aliases = "list", description = "list plugins: TYPE ID PLATFORMS STATUS")
    static final class Ls implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = {"-d", "--detailed"}, description = "show requirements, exports and errors")
        boolean detailed;

        @CommandLine.Parameters(description = "filters, e.g. type==io.containerd.grpc.v1")
        List<String> filters = List.of();

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                var plugins = IntrospectionGrpc.newBlockingStub(conn.channel())
                        .plugins(PluginsRequest.newBuilder().addAllFilters(filters).build()).getPluginsList();
                var out = spec.commandLine().getOut();
                if (detailed) {
                    for (Plugin p : plugins) {
                        out.println("Type:          " + p.getType());
                        out.println("ID:            " + p.getId());
                        out.println("Requires:      " + String.join(", ", p.getRequiresList()));
                        out.println("Platforms:     " + platforms(p));
                        out.println("Exports:       " + p.getExportsMap());
                        if (p.hasInitErr()) {
                            out.println("Error:");
                            out.println("               Code: " + io.grpc.Status.fromCodeValue(p.getInitErr().getCode()).getCode());
                            out.println("               Message: " + p.getInitErr().getMessage());
                        }
                        out.println();
                    }
                    return 0;
                }
                Table t = new Table("TYPE", "ID", "PLATFORMS", "STATUS");
                for (Plugin p : plugins) {
                    t.row(p.getType(), p.getId(), platforms(p), status(p));
                }
                t.print(out);
            }
            return 0;
        }

        private static String status(Plugin p) {
            if (!p.hasInitErr()) {
                return "ok";
            }
            return p.getInitErr().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION.value() ? "skip" : "error";
        }

        private static String platforms(Plugin p) {
            if (p.getPlatformsCount() == 0) {
                return "-";
            }
            return p.getPlatformsList().stream().map(Ls::platform).collect(Collectors.joining(","));
        }

        private static String platform(Platform p) {
            return p.getOs() + "/" + p.getArchitecture() + (p.getVariant().isEmpty() ? "" : "/" + p.getVariant());
        }
    }
}
