package io.jcontainerd.ctr.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jcontainerd.api.services.snapshots.v1.CommitSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.Info;
import io.jcontainerd.api.services.snapshots.v1.ListSnapshotsRequest;
import io.jcontainerd.api.services.snapshots.v1.MountsRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.snapshots.v1.StatSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.UsageRequest;
import io.jcontainerd.api.services.snapshots.v1.ViewSnapshotRequest;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.output.Sizes;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code jctr snapshots ls|info|usage|mounts|rm|prepare|view|commit}, as ctr's. */
@Command(name = "snapshots", aliases = "snapshot", description = "manage snapshots",
        subcommands = {SnapshotsCommand.Ls.class, SnapshotsCommand.InfoCmd.class, SnapshotsCommand.Usage.class,
                SnapshotsCommand.Mounts.class, SnapshotsCommand.Rm.class, SnapshotsCommand.Prepare.class,
                SnapshotsCommand.View.class, SnapshotsCommand.Commit.class})
public final class SnapshotsCommand {
    @Option(names = "--snapshotter", defaultValue = "${env:CONTAINERD_SNAPSHOTTER:-overlayfs}", scope = CommandLine.ScopeType.INHERIT,
            description = "snapshotter name (env CONTAINERD_SNAPSHOTTER, default ${DEFAULT-VALUE})")
    String snapshotter;

    /** The base of every subcommand: the connection and the --snapshotter of the parent command. */
    abstract static class Sub implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.ParentCommand
        SnapshotsCommand parent;

        SnapshotsGrpc.SnapshotsBlockingStub stub(io.jcontainerd.ctr.client.Connection c) {
            return SnapshotsGrpc.newBlockingStub(c.channel());
        }

        java.io.PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() {
            try (var conn = Main.of(spec).connect()) {
                return run(stub(conn), parent.snapshotter);
            }
        }

        abstract int run(SnapshotsGrpc.SnapshotsBlockingStub s, String snapshotter);
    }

    @Command(name = "ls", aliases = "list", description = "list snapshots: KEY PARENT KIND")
    static final class Ls extends Sub {
        @Parameters(description = "filters, e.g. kind==committed") List<String> filters = List.of();

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            Table t = new Table("KEY", "PARENT", "KIND");
            s.list(ListSnapshotsRequest.newBuilder().setSnapshotter(sn).addAllFilters(filters).build())
                    .forEachRemaining(r -> r.getInfoList().forEach(i -> t.row(i.getName(), i.getParent(), kind(i))));
            t.print(out());
            return 0;
        }
    }

    @Command(name = "info", description = "show a snapshot as JSON: KEY")
    static final class InfoCmd extends Sub {
        @Parameters(index = "0") String key;

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            Info i = s.stat(StatSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key).build()).getInfo();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("Kind", kind(i));
            json.put("Name", i.getName());
            if (!i.getParent().isEmpty()) {
                json.put("Parent", i.getParent());
            }
            if (i.getLabelsCount() > 0) {
                json.put("Labels", new TreeMap<>(i.getLabelsMap()));
            }
            json.put("Created", Instant.ofEpochSecond(i.getCreatedAt().getSeconds(), i.getCreatedAt().getNanos()).toString());
            json.put("Updated", Instant.ofEpochSecond(i.getUpdatedAt().getSeconds(), i.getUpdatedAt().getNanos()).toString());
            try {
                out().println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(json));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return 0;
        }
    }

    @Command(name = "usage", description = "disk usage of snapshots: [KEY...]")
    static final class Usage extends Sub {
        @Parameters(description = "keys (default: all)") List<String> keys = new ArrayList<>();

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            List<String> all = keys;
            if (all.isEmpty()) {
                List<String> listed = new ArrayList<>();
                s.list(ListSnapshotsRequest.newBuilder().setSnapshotter(sn).build())
                        .forEachRemaining(r -> r.getInfoList().forEach(i -> listed.add(i.getName())));
                all = listed;
            }
            Table t = new Table("KEY", "SIZE", "INODES");
            for (String k : all) {
                var u = s.usage(UsageRequest.newBuilder().setSnapshotter(sn).setKey(k).build());
                t.row(k, Sizes.human(u.getSize()), Long.toString(u.getInodes()));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "mounts", aliases = "m", description = "print the mount commands for a snapshot: TARGET KEY")
    static final class Mounts extends Sub {
        @Parameters(index = "0") String target;
        @Parameters(index = "1") String key;

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            printMounts(out(), target, s.mounts(MountsRequest.newBuilder().setSnapshotter(sn).setKey(key).build()).getMountsList());
            return 0;
        }
    }

    @Command(name = "remove", aliases = {"rm", "delete", "del"}, description = "remove snapshots: KEY...")
    static final class Rm extends Sub {
        @Parameters(arity = "1..*") List<String> keys;

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            for (String k : keys) {
                s.remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(k).build());
            }
            return 0;
        }
    }

    @Command(name = "prepare", description = "prepare an active snapshot: KEY [PARENT]")
    static final class Prepare extends Sub {
        @Parameters(index = "0") String key;
        @Parameters(index = "1", arity = "0..1") String parentKey = "";
        @Option(names = "--target", description = "print the mount commands for this mount point") String target;

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            var mounts = s.prepare(PrepareSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key).setParent(parentKey)
                    .putLabels("containerd.io/gc.root", Instant.now().toString()).build()).getMountsList();
            if (target != null) {
                printMounts(out(), target, mounts);
            }
            return 0;
        }
    }

    @Command(name = "view", description = "create a read-only view of a snapshot: KEY [PARENT]")
    static final class View extends Sub {
        @Parameters(index = "0") String key;
        @Parameters(index = "1", arity = "0..1") String parentKey = "";
        @Option(names = "--target", description = "print the mount commands for this mount point") String target;

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            var mounts = s.view(ViewSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key).setParent(parentKey)
                    .putLabels("containerd.io/gc.root", Instant.now().toString()).build()).getMountsList();
            if (target != null) {
                printMounts(out(), target, mounts);
            }
            return 0;
        }
    }

    @Command(name = "commit", description = "commit an active snapshot: NAME KEY")
    static final class Commit extends Sub {
        @Parameters(index = "0") String name;
        @Parameters(index = "1") String key;

        int run(SnapshotsGrpc.SnapshotsBlockingStub s, String sn) {
            s.commit(CommitSnapshotRequest.newBuilder().setSnapshotter(sn).setName(name).setKey(key)
                    .putLabels("containerd.io/gc.root", Instant.now().toString()).build());
            return 0;
        }
    }

    static void printMounts(java.io.PrintWriter out, String target, List<Mount> mounts) {
        for (Mount m : mounts) {
            out.printf("mount -t %s %s %s -o %s%n", m.getType(), m.getSource(), target, String.join(",", m.getOptionsList()));
        }
        out.flush();
    }

    static String kind(Info i) {
        return switch (i.getKind()) {
            case VIEW -> "View";
            case ACTIVE -> "Active";
            case COMMITTED -> "Committed";
            default -> "Unknown";
        };
    }
}
