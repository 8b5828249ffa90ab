package io.jcontainerd.ctr.commands;

import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.run.CniNetworks;
import io.jcontainerd.ctr.run.ContainerCreator;
import io.jcontainerd.ctr.run.RunException;
import io.jcontainerd.ctr.run.RunOptions;
import io.jcontainerd.ctr.run.Stubs;
import io.jcontainerd.ctr.run.TaskLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jctr run}: create a container from an image and run its task, as ctr 1.6's run does. */
public final class RunCommand implements Callable<Integer> {
    private final CommandSpec spec = Specs.command(this, "run", "run a container: IMAGE ID [COMMAND] [ARG...]");

    private RunCommand() {
        spec.addOption(Specs.flag("leave the task running and print nothing", "-d", "--detach"));
        spec.addOption(Specs.flag("remove the container and its snapshot when the task exits", "--rm"));
        spec.addOption(Specs.flag("give the container a terminal (interactive)", "-t", "--tty"));
        spec.addOption(Specs.repeatable("<env>", "environment variable K=V (repeatable)", "-e", "--env"));
        spec.addOption(Specs.option(Path.class, "<envFile>", "file of K=V lines", "--env-file"));
        spec.addOption(Specs.defaulted(String.class, "<cwd>", "", "working directory of the process", "--cwd"));
        spec.addOption(Specs.defaulted(String.class, "<user>", "", "user: name, uid, name:group or uid:gid", "-u", "--user"));
        spec.addOption(Specs.repeatable("<mounts>", "type=bind,src=/host,dst=/ctr,options=rbind:ro (repeatable)", "--mount"));
        spec.addOption(Specs.flag("share the host's network namespace", "--net-host"));
        spec.addOption(Specs.flag("attach the container to the default bridge network through the CNI plugins", "--cni"));
        spec.addOption(Specs.defaulted(Path.class, "<cniConfig>", "/etc/jcontainerd/jcontainerd.toml",
                "the daemon's jcontainerd.toml, whose root, state and [network] --cni uses (default ${DEFAULT-VALUE})", "--cni-config"));
        spec.addOption(Specs.repeatable("<labels>", "container label K=V (repeatable)", "--label"));
        spec.addOption(Specs.defaulted(long.class, "<memoryLimit>", "0", "memory limit in bytes", "--memory-limit"));
        spec.addOption(Specs.defaulted(double.class, "<cpus>", "0", "CPUs the container may use, e.g. 0.5", "--cpus"));
        spec.addOption(Specs.defaulted(String.class, "<snapshotter>", "${env:CONTAINERD_SNAPSHOTTER:-overlayfs}",
                "snapshotter (default ${DEFAULT-VALUE})", "--snapshotter"));
        spec.addOption(Specs.defaulted(String.class, "<runtime>", ContainerCreator.RUNC_V2, "runtime name (default ${DEFAULT-VALUE})",
                "--runtime"));
        spec.addOption(Specs.flag("all capabilities and host devices", "--privileged"));
        spec.addOption(Specs.flag("read-only root filesystem", "--read-only", "--readonly"));
        spec.addOption(Specs.option(Path.class, "<fifoDir>", "directory for the stdio FIFOs (default /run/jcontainerd/fifo)",
                "--fifo-dir"));
        spec.addPositional(Specs.positional(0, "IMAGE", "image reference"));
        spec.addPositional(Specs.positional(1, "ID", "container id"));
        spec.addPositional(Specs.rest(2, false, "ARGS", "the command and its arguments (default: the image's)"));
    }

    /**
     * The command as picocli runs it, its model built in code ({@link Specs}): options end at the
     * image name, as in ctr, so the container's own arguments ({@code sh -c ...}) are passed through untouched.
     */
    public static CommandLine command() {
        return new CommandLine(new RunCommand().spec).setStopAtPositional(true);
    }

    @Override
    public Integer call() throws IOException {
        Main main = Main.of(spec);
        boolean detach = Specs.isSet(spec, "--detach");
        boolean rm = Specs.isSet(spec, "--rm");
        boolean tty = Specs.isSet(spec, "--tty");
        List<String> env = Specs.values(spec, "--env");
        Path envFile = Specs.value(spec, "--env-file");
        String cwd = Specs.valueOr(spec, "--cwd", "");
        String user = Specs.valueOr(spec, "--user", "");
        List<String> mounts = Specs.values(spec, "--mount");
        boolean netHost = Specs.isSet(spec, "--net-host");
        boolean cni = Specs.isSet(spec, "--cni");
        Path cniConfig = Specs.value(spec, "--cni-config");
        List<String> labels = Specs.values(spec, "--label");
        long memoryLimit = Specs.value(spec, "--memory-limit");
        double cpus = Specs.value(spec, "--cpus");
        String snapshotter = Specs.value(spec, "--snapshotter");
        String runtime = Specs.value(spec, "--runtime");
        boolean privileged = Specs.isSet(spec, "--privileged");
        boolean readOnly = Specs.isSet(spec, "--read-only");
        Path fifoDir = Specs.value(spec, "--fifo-dir");
        String image = spec.positionalParameters().get(0).getValue();
        String id = spec.positionalParameters().get(1).getValue();
        List<String> args = Specs.strings(spec, 2);
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
            try {
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
            } finally {
                created.awaitLeaseDeleted();
            }
        } catch (RunException e) {
            spec.commandLine().getErr().println("jctr: " + e.getMessage());
            return 1;
        }
    }
}
