package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.linux.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** jrunc: runc's command line over jcontainerd's OCI runtime. */
public final class Main {
    static final String USAGE = """
            jrunc: Open Container Initiative runtime (runc-compatible), in Java.

            usage: jrunc [global options] command [command options] [arguments...]

            commands:
              create    create a container; its process waits until `start`
              start     start the process of a created container
              run       create and start a container (-d to detach)
              state     print the container's state as JSON
              kill      send a signal (default TERM) to the init, or --all processes
              delete    delete a stopped (or, with --force, any) container
              list, ls  list containers (--format table|json)
              exec      run another process in a running container
              ps        list the processes of a container (--format json)
              pause     freeze every process of a container
              resume    thaw a paused container
              events    container stats (--stats once)
              update    change a container's cgroup limits (--resources file|-, or runc's flags)
              spec      write a default config.json
              features  what this runtime supports

            global options:
              --root value        state directory (default /run/jrunc)
              --log value         log file for errors
              --log-format value  text or json
              --debug             stack traces for errors
              --systemd-cgroup    accepted; slice:prefix:name paths are mapped onto cgroupfs
              --version, -v       print the version
            """;

    private static final Map<String, Boolean> GLOBALS = Args.spec(Set.of("root", "log", "log-format", "criu", "rootless"),
            Set.of("debug", "systemd-cgroup", "help", "version"));

    Path root = Path.of("/run/jrunc");
    Path log;
    String logFormat = "text";
    boolean debug;

    Containers containers() { return new Containers(root); }

    public static void main(String[] argv) {
        Main main = new Main();
        int rc;
        try {
            rc = main.dispatch(Arrays.asList(argv));
        } catch (JruncException e) {
            main.logError(e.getMessage());
            if (main.debug) e.printStackTrace();
            rc = 1;
        } catch (Exception e) {
            main.logError(e.toString());
            e.printStackTrace();
            rc = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(rc);
    }

    int dispatch(List<String> argv) throws Exception {
        int i = 0;
        // global options come before the command
        while (i < argv.size() && argv.get(i).startsWith("-")) {
            String s = argv.get(i);
            String name = s.replaceFirst("^--?", "");
            String value = null;
            if (name.contains("=")) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name.equals("v")) name = "version";
            if (name.equals("h")) name = "help";
            Boolean takes = GLOBALS.get(name);
            if (takes == null) throw JruncException.invalidArgument("flag provided but not defined: -%s", name);
            if (takes && value == null) {
                if (i + 1 >= argv.size()) throw JruncException.invalidArgument("flag needs an argument: -%s", name);
                value = argv.get(++i);
            }
            switch (name) {
                case "root" -> root = Path.of(value);
                case "log" -> log = Path.of(value);
                case "log-format" -> logFormat = value;
                case "debug" -> debug = true;
                case "version" -> {
                    System.out.println("jrunc version 0.1.0\nspec: " + Containers.OCI_VERSION);
                    return 0;
                }
                case "help" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> { } // --systemd-cgroup, --criu, --rootless: accepted like runc accepts them
            }
            i++;
        }
        if (i >= argv.size()) {
            System.out.print(USAGE);
            return 0;
        }
        String command = argv.get(i);
        List<String> rest = argv.subList(i + 1, argv.size());
        if (command.equals("create") || command.equals("run") || command.equals("exec")) {
            // they spawn through JNA: load it (~10 ms of class initialisation) on the other core meanwhile
            Thread.ofPlatform().daemon().name("jrunc-jna-load").start(() -> LibC.INSTANCE.getpid());
        }
        return switch (command) {
            case "create" -> CreateCommand.run(this, rest);
            case "start" -> StartCommand.run(this, rest);
            case "run" -> RunCommand.run(this, rest);
            case "state" -> StateCommand.run(this, rest);
            case "kill" -> KillCommand.run(this, rest);
            case "delete" -> DeleteCommand.run(this, rest);
            case "list", "ls" -> ListCommand.run(this, rest);
            case "exec" -> ExecCommand.run(this, rest);
            case "ps" -> PsCommand.run(this, rest);
            case "pause" -> PauseCommand.run(this, rest, true);
            case "resume" -> PauseCommand.run(this, rest, false);
            case "events" -> EventsCommand.run(this, rest);
            case "update" -> UpdateCommand.run(this, rest);
            case "spec" -> SpecCommand.run(rest);
            case "features" -> FeaturesCommand.run();
            case "__init-argv" -> InitArgvCommand.run();
            case "__aot-train" -> AotTrainCommand.run(this, rest);
            case "help" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> throw JruncException.invalidArgument("no such command %s: see jrunc --help", command);
        };
    }

    void logError(String msg) {
        System.err.println("jrunc: " + msg);
        if (log == null) return;
        String line = "json".equals(logFormat)
                ? "{\"level\":\"error\",\"msg\":" + quote(msg) + ",\"time\":\"" + Instant.now() + "\"}\n"
                : "time=\"" + Instant.now() + "\" level=error msg=" + quote(msg) + "\n";
        try {
            // a new log is root's alone (0600), as containerd keeps its logs
            if (!Files.exists(log)) {
                try {
                    Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another jrunc created it first
                }
            }
            Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // stderr already has it
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
