package io.jcontainerd.ctr.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.FieldMask;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.containers.v1.GetContainerRequest;
import io.jcontainerd.api.services.containers.v1.ListContainersRequest;
import io.jcontainerd.api.services.containers.v1.UpdateContainerRequest;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code jctr containers ls|info|rm|label}, as ctr's. */
@Command(name = "containers", aliases = {"container", "c"}, description = "manage containers",
        subcommands = {ContainersCommand.Ls.class, ContainersCommand.Info.class, ContainersCommand.Rm.class,
                ContainersCommand.Label.class})
public final class ContainersCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "ls", aliases = "list", description = "list containers: CONTAINER IMAGE RUNTIME")
    static final class Ls implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Option(names = {"-q", "--quiet"}, description = "print only the ids")
        boolean quiet;
        @Parameters(description = "filters, e.g. labels.app==web") List<String> filters = List.of();

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                var list = ContainersGrpc.newBlockingStub(conn.channel())
                        .list(ListContainersRequest.newBuilder().addAllFilters(filters).build()).getContainersList();
                var out = spec.commandLine().getOut();
                if (quiet) {
                    list.forEach(c -> out.println(c.getId()));
                    out.flush();
                    return 0;
                }
                Table t = new Table("CONTAINER", "IMAGE", "RUNTIME");
                list.forEach(c -> t.row(c.getId(), c.getImage().isEmpty() ? "-" : c.getImage(), c.getRuntime().getName()));
                t.print(out);
            }
            return 0;
        }
    }

    @Command(name = "info", description = "show a container as JSON, its spec decoded: ID")
    static final class Info implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws IOException {
            try (var conn = Main.of(spec).connect()) {
                Container c = ContainersGrpc.newBlockingStub(conn.channel())
                        .get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
                ObjectNode n = JSON.createObjectNode();
                n.put("ID", c.getId());
                n.putPOJO("Labels", new TreeMap<>(c.getLabelsMap()));
                n.put("Image", c.getImage());
                n.putObject("Runtime").put("Name", c.getRuntime().getName());
                n.put("SnapshotKey", c.getSnapshotKey());
                n.put("Snapshotter", c.getSnapshotter());
                n.put("CreatedAt", Instant.ofEpochSecond(c.getCreatedAt().getSeconds(), c.getCreatedAt().getNanos()).toString());
                n.put("UpdatedAt", Instant.ofEpochSecond(c.getUpdatedAt().getSeconds(), c.getUpdatedAt().getNanos()).toString());
                if (c.getSpec().getTypeUrl().contains("opencontainers/runtime-spec")) {
                    n.set("Spec", JSON.readTree(c.getSpec().getValue().toStringUtf8()));
                }
                spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
            }
            return 0;
        }
    }

    /**
     * As ctr's: a stopped or created task is deleted first, a running one makes it refuse; the
     * container's snapshot goes with it unless {@code --keep-snapshot}.
     */
    @Command(name = "delete", aliases = {"rm", "del", "remove"}, description = "delete containers: ID...")
    static final class Rm implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Option(names = "--keep-snapshot", description = "leave the container's snapshot")
        boolean keepSnapshot;
        @CommandLine.Option(names = "--cni-config", defaultValue = "/etc/jcontainerd/jcontainerd.toml",
                description = "the daemon's jcontainerd.toml: a container run with --cni has its network torn down from its records (default ${DEFAULT-VALUE})")
        java.nio.file.Path cniConfig;
        @Parameters(arity = "1..*") List<String> ids;

        @Override
        public Integer call() {
            int exit = 0;
            try (var conn = Main.of(spec).connect()) {
                var stubs = io.jcontainerd.ctr.run.Stubs.on(conn.channel());
                for (String id : ids) {
                    try {
                        delete(stubs, id);
                    } catch (io.grpc.StatusRuntimeException e) {
                        spec.commandLine().getErr().println("jctr: failed to delete container " + id + ": "
                                + e.getStatus().getDescription());
                        exit = 1;
                    } catch (io.jcontainerd.ctr.run.RunException e) {
                        spec.commandLine().getErr().println("jctr: " + e.getMessage());
                        exit = 1;
                    }
                }
            }
            return exit;
        }

        private void delete(io.jcontainerd.ctr.run.Stubs stubs, String id) {
            Container c = stubs.containers().get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
            new io.jcontainerd.ctr.run.TaskLauncher(stubs, null).deleteStoppedTask(id);
            if (!keepSnapshot && !c.getSnapshotKey().isEmpty()) {
                new io.jcontainerd.ctr.run.TaskLauncher(stubs, null).removeSnapshot(c.getSnapshotter(), c.getSnapshotKey());
            }
            stubs.containers().delete(DeleteContainerRequest.newBuilder().setId(id).build());
            io.jcontainerd.ctr.run.CniNetworks.of(cniConfig).tearDown(Main.of(spec).namespace(), id);
        }
    }

    @Command(name = "label", description = "set and clear labels of a container: ID [KEY=VALUE...] (KEY= clears)")
    static final class Label implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String id;
        @Parameters(index = "1..*") List<String> labels = List.of();

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                var stub = ContainersGrpc.newBlockingStub(conn.channel());
                Map<String, String> changes = Labels.parse(labels);
                if (changes.isEmpty()) {
                    var c = stub.get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
                    spec.commandLine().getOut().println(Labels.format(c.getLabelsMap()));
                    return 0;
                }
                FieldMask.Builder mask = FieldMask.newBuilder();
                changes.keySet().forEach(k -> mask.addPaths("labels." + k));
                stub.update(UpdateContainerRequest.newBuilder()
                        .setContainer(Container.newBuilder().setId(id).putAllLabels(changes)).setUpdateMask(mask).build());
            }
            return 0;
        }
    }
}
