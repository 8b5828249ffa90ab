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
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.Specs.Sub;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code jctr containers ls|info|rm|label}, as ctr's. */
public final class ContainersCommand {

    private ContainersCommand() {
    }

    /** The group; {@code named}: the subcommand asked for, the only one made ({@link Specs#group}). */
    public static CommandLine command(String named) {
        return Specs.group(new ContainersCommand(), "containers", "manage containers", new String[]{"container", "c"}, named, false,
                List.of(Sub.of(() -> new Ls().spec, "ls", "list"), Sub.of(Info::new, "info"),
                        Sub.of(() -> new Rm().spec, "delete", "rm", "del", "remove"), Sub.of(Label::new, "label")));
    }

    /** Model built in code ({@link Specs}): one of the commands users time. */
    static final class Ls implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "ls", "list containers: CONTAINER IMAGE RUNTIME", "list");

        Ls() {
            spec.addOption(Specs.flag("print only the ids", "-q", "--quiet"));
            spec.addPositional(Specs.rest(0, false, "<filters>", "filters, e.g. labels.app==web"));
        }

        @Override
        public Integer call() {
            boolean quiet = Specs.isSet(spec, "--quiet");
            List<String> filters = Specs.strings(spec, 0);
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
        private static final ObjectMapper JSON = new ObjectMapper();
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
     * container's snapshot goes with it unless {@code --keep-snapshot}. Model built in code.
     */
    static final class Rm implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "delete", "delete containers: ID...", "rm", "del", "remove");
        private boolean keepSnapshot;
        private Path cniConfig;

        Rm() {
            spec.addOption(Specs.flag("leave the container's snapshot", "--keep-snapshot"));
            spec.addOption(Specs.defaulted(Path.class, "<cniConfig>", "/etc/jcontainerd/jcontainerd.toml",
                    "the daemon's jcontainerd.toml: a container run with --cni has its network torn down from its records (default ${DEFAULT-VALUE})",
                    "--cni-config"));
            spec.addPositional(Specs.rest(0, true, "<ids>", "container ids"));
        }

        @Override
        public Integer call() {
            keepSnapshot = Specs.isSet(spec, "--keep-snapshot");
            cniConfig = Specs.value(spec, "--cni-config");
            List<String> ids = Specs.strings(spec, 0);
            int exit = 0;
            try (var conn = Main.of(spec).connect()) {
                var stubs = io.jcontainerd.ctr.run.Stubs.on(conn);
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
