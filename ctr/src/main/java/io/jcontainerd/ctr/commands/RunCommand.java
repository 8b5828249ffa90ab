package io.jcontainerd.ctr.commands;

import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.run.CniNetworks;
import io.jcontainerd.ctr.run.ContainerCreator;
import io.jcontainerd.ctr.run.RunException;
import io.jcontainerd.ctr.run.RunOptions;
import io.jcontainerd.ctr.run.Stubs;
import io.jcontainerd.ctr.run.TaskLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jctr run}: create a container from an image and run its task, as ctr 1.6's run does. */
@Command(name = "run", description = "run a container: IMAGE ID [COMMAND] [ARG...]")
public final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--detach"}, description = "leave the task running and print nothing")
    boolean detach;
    @Option(names = "--rm", description = "remove the container and its snapshot when the task exits")
    boolean rm;
    @Option(names = {"-t", "--tty"}, description = "give the container a terminal (interactive)")
    boolean tty;
    @Option(names = {"-e", "--env"}, description = "environment variable K=V (repeatable)")
    List<String> env = new ArrayList<>();
    @Option(names = "--env-file", description = "file of K=V lines")
    Path envFile;
    @Option(names = "--cwd", description = "working directory of the process")
    String cwd = "";
    @Option(names = {"-u", "--user"}, description = "user: name, uid, name:group or uid:gid")
    String user = "";
    @Option(names = "--mount", description = "type=bind,src=/host,dst=/ctr,options=rbind:ro (repeatable)")
    List<String> mounts = new ArrayList<>();
    @Option(names = "--net-host", description = "share the host's network namespace")
    boolean netHost;
    @Option(names = "--cni", description = "attach the container to the default bridge network through the CNI plugins")
    boolean cni;
    @Option(names = "--cni-config", description = "the daemon's jcontainerd.toml, whose root, state and [network] --cni uses (default ${DEFAULT-VALUE})",
            defaultValue = "/etc/jcontainerd/jcontainerd.toml")
    Path cniConfig;
    @Option(names = "--label", description = "container label K=V (repeatable)")
    List<String> labels = new ArrayList<>();
    @Option(names = "--memory-limit", description = "memory limit in bytes")
    long memoryLimit;
    @Option(names = "--cpus", description = "CPUs the container may use, e.g. 0.5")
    double cpus;
    @Option(names = "--snapshotter", defaultValue = "${env:CONTAINERD_SNAPSHOTTER:-overlayfs}",
            description = "snapshotter (default ${DEFAULT-VALUE})")
    String snapshotter;
    @Option(names = "--runtime", defaultValue = ContainerCreator.RUNC_V2, description = "runtime name (default ${DEFAULT-VALUE})")
    String runtime;
    @Option(names = "--privileged", description = "all capabilities and host devices")
    boolean privileged;
    @Option(names = {"--read-only", "--readonly"}, description = "read-only root filesystem")
    boolean readOnly;
    @Option(names = "--fifo-dir", description = "directory for the stdio FIFOs (default /run/jcontainerd/fifo)")
    Path fifoDir;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;
    @Parameters(index = "1", paramLabel = "ID")
    String id;
    @Parameters(index = "2..*", paramLabel = "ARGS")
    List<String> args = new ArrayList<>();

    /**
     * The command as picocli runs it: options end at the image name, as in ctr, so the
     * container's own arguments ({@code sh -c ...}) are passed through untouched.
     */
    public static CommandLine command() {
        return new CommandLine(new RunCommand()).setStopAtPositional(true);
    }

    @Override
    public Integer call() throws IOException {
        Main main = Main.of(spec);
        if (detach && rm) {
            spec.commandLine().getErr().println("jctr: -d and --rm cannot be used together: a detached task is removed with `jctr tasks rm` and `jctr containers rm`");
            return 1;
        }
        List<String> allEnv = new ArrayList<>();
        if (envFile != null) {
            Files.readAllLines(envFile).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(allEnv::add);
        }
        allEnv.addAll(env);
        if (cni && netHost) {
            spec.commandLine().getErr().println("jctr: --cni and --net-host cannot be used together");
            return 1;
        }
        List<RunOptions.BindMount> binds = mounts.stream().map(RunOptions.BindMount::parse).toList();
        CniNetworks networks = null;
        try (var conn = main.connect()) {
            RunOptions.CniAttachment attachment = null;
            if (cni) {
                networks = CniNetworks.of(cniConfig);
                attachment = networks.setUp(main.namespace(), id);
            }
            RunOptions options = new RunOptions(allEnv, cwd, user, binds, netHost, memoryLimit, cpus, privileged, readOnly, tty, args,
                    attachment);
            Stubs stubs = Stubs.on(conn.channel());
            var creator = new ContainerCreator(stubs, main.namespace());
            ContainerCreator.Created created;
            try {
                created = creator.create(id, image, options, snapshotter, runtime, Labels.parse(labels));
            } catch (RuntimeException e) {
                if (networks != null) {
                    networks.tearDown(main.namespace(), id);
                }
                throw e;
            }
            var launcher = new TaskLauncher(stubs, fifoDir);
            if (detach) {
                launcher.startDetached(id, created.rootfs(), tty);
                return 0;
            }
            try {
                return launcher.runAttached(id, created.rootfs(), tty);
            } finally {
                if (rm) {
                    launcher.removeContainer(id, snapshotter);
                    if (networks != null) {
                        networks.tearDown(main.namespace(), id);
                    }
                }
            }
        } catch (RunException e) {
            spec.commandLine().getErr().println("jctr: " + e.getMessage());
            return 1;
        }
    }
}
