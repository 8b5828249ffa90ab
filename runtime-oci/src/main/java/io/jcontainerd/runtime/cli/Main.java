package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.container.Containers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** jrunc: runc's command line over jcontainerd's OCI runtime. */
@Command(name = "jrunc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {CreateCommand.class, StartCommand.class, RunCommand.class, StateCommand.class, KillCommand.class,
                DeleteCommand.class, ListCommand.class, SpecCommand.class, PauseCommand.class, ResumeCommand.class,
                PsCommand.class, EventsCommand.class, ExecCommand.class, FeaturesCommand.class, InitArgvCommand.class},
        description = "Open Container Initiative runtime (runc-compatible), in Java.")
public final class Main implements Runnable {
    @Option(names = "--root", description = "root directory for container state (default /run/jrunc)")
    Path root = Path.of("/run/jrunc");
    @Option(names = "--log", description = "log file for errors (as runc's --log)") Path log;
    @Option(names = "--log-format", description = "text or json") String logFormat = "text";
    @Option(names = "--debug") boolean debug;
    // Accepted and ignored like runc does for what does not apply here.
    @Option(names = "--systemd-cgroup", description = "accepted; cgroupsPath slice:prefix:name is mapped onto cgroupfs") boolean systemdCgroup;
    @Option(names = "--criu", hidden = true) String criu;
    @Option(names = "--rootless", hidden = true) String rootless;

    Containers containers() { return new Containers(root); }

    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = e instanceof JruncException ? e.getMessage() : e.toString();
            main.logError(msg);
            if (main.debug || !(e instanceof JruncException)) e.printStackTrace();
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            main.logError(e.getMessage());
            return 1;
        });
        // like runc, everything after `exec <id>` belongs to the command
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        int rc = cl.execute(args);
        System.out.flush();
        Runtime.getRuntime().halt(rc);
    }

    void logError(String msg) {
        System.err.println("jrunc: " + msg);
        if (log == null) return;
        String line = "json".equals(logFormat)
                ? "{\"level\":\"error\",\"msg\":" + quote(msg) + ",\"time\":\"" + Instant.now() + "\"}\n"
                : "time=\"" + Instant.now() + "\" level=error msg=" + quote(msg) + "\n";
        try {
            Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // stderr already has it
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            return new String[] {"jrunc version 0.1.0", "spec: " + Containers.OCI_VERSION};
        }
    }
}
