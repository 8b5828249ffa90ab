package io.jcontainerd.ctr;

import io.jcontainerd.ctr.commands.ContainersCommand;
import io.jcontainerd.ctr.commands.ContentCommand;
import io.jcontainerd.ctr.commands.EventsCommand;
import io.jcontainerd.ctr.commands.ImagesCommand;
import io.jcontainerd.ctr.commands.NamespacesCommand;
import io.jcontainerd.ctr.commands.PluginsCommand;
import io.jcontainerd.ctr.commands.RunCommand;
import io.jcontainerd.ctr.commands.SnapshotsCommand;
import io.jcontainerd.ctr.commands.TasksCommand;
import io.jcontainerd.ctr.commands.VersionCommand;
import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * jctr's subcommands. picocli reads every registered command's annotations at start-up; a CLI
 * run does one command, so only that one is registered (all of them for help and typos). This
 * keeps reflection off the start path, which is most of a JVM CLI's latency.
 */
final class Commands {
    private static final Map<List<String>, Supplier<Object>> ALL = new LinkedHashMap<>();
    /** Global options that take a value: the word after them is not the command. */
    private static final Set<String> VALUED = Set.of("-a", "--address", "-n", "--namespace", "--timeout", "--connect-timeout");

    static {
        ALL.put(List.of("version"), VersionCommand::spec);
        ALL.put(List.of("namespaces", "namespace", "ns"), NamespacesCommand::spec);
        ALL.put(List.of("plugins", "plugin"), PluginsCommand::new);
        ALL.put(List.of("snapshots", "snapshot"), SnapshotsCommand::new);
        ALL.put(List.of("containers", "container", "c"), ContainersCommand::new);
        ALL.put(List.of("images", "image", "i"), ImagesCommand::new);
        ALL.put(List.of("content"), ContentCommand::new);
        ALL.put(List.of("run"), RunCommand::command);
        ALL.put(List.of("tasks", "task", "t"), TasksCommand::command);
        ALL.put(List.of("events", "event"), EventsCommand::new);
    }

    private Commands() {
    }

    static void addFor(CommandLine cli, String[] args) {
        String word = commandWord(args);
        for (var e : ALL.entrySet()) {
            if (word != null && e.getKey().contains(word)) {
                cli.addSubcommand(e.getValue().get());
                return;
            }
        }
        ALL.values().forEach(s -> cli.addSubcommand(s.get()));
    }

    static String commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }
}
