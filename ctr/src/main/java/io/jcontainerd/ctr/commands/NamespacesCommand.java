package io.jcontainerd.ctr.commands;

import com.google.protobuf.FieldMask;
import io.jcontainerd.api.services.namespaces.v1.CreateNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.DeleteNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.GetNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.Namespace;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;
import io.jcontainerd.api.services.namespaces.v1.UpdateNamespaceRequest;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jctr namespaces create|ls|rm|label}, as ctr's. {@code namespaces ls} is one of the commands
 * users time, so the models are built in code ({@link Specs}), not read from annotations.
 */
public final class NamespacesCommand {

    private NamespacesCommand() {
    }

    public static CommandSpec spec() {
        CommandSpec spec = Specs.command(new NamespacesCommand(), "namespaces", "manage namespaces", "namespace", "ns");
        spec.addSubcommand("create", new Create().spec);
        spec.addSubcommand("ls", new Ls().spec);
        spec.addSubcommand("remove", new Rm().spec);
        spec.addSubcommand("label", new Label().spec);
        return spec;
    }

    static final class Create implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "create", "create a new namespace: NAME [KEY=VALUE...]", "c");

        Create() {
            spec.addPositional(Specs.positional(0, "<name>", "namespace name"));
            spec.addPositional(Specs.rest(1, false, "<labels>", "labels KEY=VALUE"));
        }

        @Override
        public Integer call() {
            String name = spec.positionalParameters().get(0).getValue();
            try (var conn = Main.of(spec).connect()) {
                NamespacesGrpc.newBlockingStub(conn.channel()).create(CreateNamespaceRequest.newBuilder()
                        .setNamespace(Namespace.newBuilder().setName(name)
                                .putAllLabels(Labels.parse(Specs.strings(spec, 1)))).build());
            }
            return 0;
        }
    }

    static final class Ls implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "ls", "list namespaces: NAME LABELS", "list");

        Ls() {
            spec.addOption(Specs.flag("print only the names", "-q", "--quiet"));
        }

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                list(spec.commandLine().getOut(), conn, Specs.isSet(spec, "--quiet"));
            }
            return 0;
        }
    }

    /** {@code namespaces ls}: NAME and LABELS sorted by name, or only the names when {@code quiet}. */
    public static void list(PrintWriter out, Connection conn, boolean quiet) {
        // not Comparator.comparing: its comparator is a serializable lambda, which the AOT cache
        // cannot hold (generated at run time with the class-file API, ~10 ms of a jctr run)
        var list = new ArrayList<>(NamespaceList.list(conn));
        list.sort((a, b) -> a.name().compareTo(b.name()));
        if (quiet) {
            list.forEach(n -> out.println(n.name()));
            return;
        }
        Table t = new Table("NAME", "LABELS");
        list.forEach(n -> t.row(n.name(), Labels.format(n.labels())));
        t.print(out);
    }

    static final class Rm implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "remove", "remove one or more empty namespaces", "rm");

        Rm() {
            spec.addPositional(Specs.rest(0, true, "<names>", "namespace names"));
        }

        @Override
        public Integer call() {
            int exit = 0;
            try (var conn = Main.of(spec).connect()) {
                var stub = NamespacesGrpc.newBlockingStub(conn.channel());
                for (String name : Specs.strings(spec, 0)) {
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

    static final class Label implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "label", "set and clear labels of a namespace: NAME [KEY=VALUE...] (KEY= clears)");

        Label() {
            spec.addPositional(Specs.positional(0, "<name>", "namespace name"));
            spec.addPositional(Specs.rest(1, false, "<labels>", "labels KEY=VALUE"));
        }

        @Override
        public Integer call() {
            String name = spec.positionalParameters().get(0).getValue();
            try (var conn = Main.of(spec).connect()) {
                var stub = NamespacesGrpc.newBlockingStub(conn.channel());
                Map<String, String> changes = Labels.parse(Specs.strings(spec, 1));
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
