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
import java.util.function.Function;

/**
 * jctr's subcommands. picocli reads every registered command's annotations at start-up; a CLI
 * run does one command, so only that one is registered (all of them for help and typos), and in a
 * group only the subcommand named by the next word ({@link Specs#group}). This keeps reflection
 * off the start path, which is most of a JVM CLI's latency.
 */
final class Commands {
    private static final Map<List<String>, Function<String, Object>> ALL = new LinkedHashMap<>();
    /** Global options that take a value: the word after them is not the command. */
    private static final Set<String> VALUED = Set.of("-a", "--address", "-n", "--namespace", "--timeout", "--connect-timeout");

    static {
        // each maker is given the word after the command: the subcommand asked for, or null
        ALL.put(List.of("version"), sub -> VersionCommand.spec());
        ALL.put(List.of("namespaces", "namespace", "ns"), sub -> NamespacesCommand.spec());
        ALL.put(List.of("plugins", "plugin"), sub -> new PluginsCommand());
        ALL.put(List.of("snapshots", "snapshot"), sub -> new SnapshotsCommand());
        ALL.put(List.of("containers", "container", "c"), ContainersCommand::command);
        ALL.put(List.of("images", "image", "i"), ImagesCommand::command);
        ALL.put(List.of("content"), sub -> new ContentCommand());
        ALL.put(List.of("run"), sub -> RunCommand.command());
        ALL.put(List.of("tasks", "task", "t"), TasksCommand::command);
        ALL.put(List.of("events", "event"), sub -> new EventsCommand());
    }

    private Commands() {
    }

    static void addFor(CommandLine cli, String[] args) {
        int at = commandIndex(args);
        String word = at < 0 ? null : args[at];
        for (var e : ALL.entrySet()) {
            if (word != null && e.getKey().contains(word)) {
                cli.addSubcommand(e.getValue().apply(subcommandWord(args, at)));
                return;
            }
        }
        List<String> all = List.of(args);
        if (word == null && (all.contains("-V") || all.contains("--version")) && !all.contains("-h") && !all.contains("--help")) {
            return; // `jctr --version` prints one line: building every command's model for it cost more than `jctr version`
        }
        ALL.values().forEach(s -> cli.addSubcommand(s.apply(null)));
    }

    /** The global options that take a value (bin/jctr skips the same ones to find the command word). */
    static Set<String> valuedGlobalOptions() {
        return VALUED;
    }

    static String commandWord(String[] args) {
        int at = commandIndex(args);
        return at < 0 ? null : args[at];
    }

    /** The word right after the command ({@code ls} of {@code tasks ls}), null when an option or nothing follows. */
    static String subcommandWord(String[] args, int commandIndex) {
        return commandIndex + 1 < args.length && !args[commandIndex + 1].startsWith("-") ? args[commandIndex + 1] : null;
    }

    private static int commandIndex(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return i;
            }
        }
        return -1;
    }
}
