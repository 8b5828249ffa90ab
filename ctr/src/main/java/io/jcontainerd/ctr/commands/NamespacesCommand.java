package io.jcontainerd.ctr.commands;

import com.google.protobuf.FieldMask;
import io.jcontainerd.api.services.namespaces.v1.CreateNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.DeleteNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.GetNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.ListNamespacesRequest;
import io.jcontainerd.api.services.namespaces.v1.Namespace;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;
import io.jcontainerd.api.services.namespaces.v1.UpdateNamespaceRequest;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jctr namespaces create|ls|rm|label}, as ctr's. */
@Command(name = "namespaces", aliases = {"namespace", "ns"}, description = "manage namespaces",
        subcommands = {NamespacesCommand.Create.class, NamespacesCommand.Ls.class, NamespacesCommand.Rm.class,
                NamespacesCommand.Label.class})
public final class NamespacesCommand {

    @Command(name = "create", aliases = "c", description = "create a new namespace: NAME [KEY=VALUE...]")
    static final class Create implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "namespace name")
        String name;
        @Parameters(index = "1..*", description = "labels KEY=VALUE")
        List<String> labels = List.of();

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                NamespacesGrpc.newBlockingStub(conn.channel()).create(CreateNamespaceRequest.newBuilder()
                        .setNamespace(Namespace.newBuilder().setName(name).putAllLabels(Labels.parse(labels))).build());
            }
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "list namespaces: NAME LABELS")
    static final class Ls implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Option(names = {"-q", "--quiet"}, description = "print only the names")
        boolean quiet;

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                var list = NamespacesGrpc.newBlockingStub(conn.channel()).list(ListNamespacesRequest.getDefaultInstance())
                        .getNamespacesList().stream().sorted(Comparator.comparing(Namespace::getName)).toList();
                var out = spec.commandLine().getOut();
                if (quiet) {
                    list.forEach(n -> out.println(n.getName()));
                    return 0;
                }
                Table t = new Table("NAME", "LABELS");
                list.forEach(n -> t.row(n.getName(), Labels.format(n.getLabelsMap())));
                t.print(out);
            }
            return 0;
        }
    }

    @Command(name = "remove", aliases = {"rm"}, description = "remove one or more empty namespaces")
    static final class Rm implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(arity = "1..*", description = "namespace names")
        List<String> names;

        @Override
        public Integer call() {
            int exit = 0;
            try (var conn = Main.of(spec).connect()) {
                var stub = NamespacesGrpc.newBlockingStub(conn.channel());
                for (String name : names) {
                    try {
                        stub.delete(DeleteNamespaceRequest.newBuilder().setName(name).build());
                        spec.commandLine().getOut().println(name);
                    } catch (io.grpc.StatusRuntimeException e) {
                        spec.commandLine().getErr().println("jctr: unable to delete " + name + ": "
                                + e.getStatus().getDescription());
                        exit = 1;
                    }
                }
            }
            return exit;
        }
    }

    @Command(name = "label", description = "set and clear labels of a namespace: NAME [KEY=VALUE...] (KEY= clears)")
    static final class Label implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "namespace name")
        String name;
        @Parameters(index = "1..*", description = "labels KEY=VALUE")
        List<String> labels = List.of();

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                var stub = NamespacesGrpc.newBlockingStub(conn.channel());
                Map<String, String> changes = Labels.parse(labels);
                if (changes.isEmpty()) {
                    var ns = stub.get(GetNamespaceRequest.newBuilder().setName(name).build()).getNamespace();
                    spec.commandLine().getOut().println(Labels.format(ns.getLabelsMap()));
                    return 0;
                }
                FieldMask.Builder mask = FieldMask.newBuilder();
                changes.keySet().forEach(k -> mask.addPaths("labels." + k));
                stub.update(UpdateNamespaceRequest.newBuilder()
                        .setNamespace(Namespace.newBuilder().setName(name).putAllLabels(changes))
                        .setUpdateMask(mask).build());
            }
            return 0;
        }
    }
}
