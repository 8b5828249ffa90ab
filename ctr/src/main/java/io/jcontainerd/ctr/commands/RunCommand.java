package io.jcontainerd.ctr.commands;

import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.run.ContainerCreator;
import io.jcontainerd.ctr.run.ContainerRun;
import io.jcontainerd.ctr.run.RunRequest;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
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
        spec.addOption(Specs.defaulted(Path.class, "<cniConfig>", RunRequest.DEFAULT_CNI_CONFIG,
                "the daemon's jcontainerd.toml, whose root, state and [network] --cni uses (default ${DEFAULT-VALUE})", "--cni-config"));
        spec.addOption(Specs.repeatable("<labels>", "container label K=V (repeatable)", "--label"));
        spec.addOption(Specs.defaulted(long.class, "<memoryLimit>", "0", "memory limit in bytes", "--memory-limit"));
        spec.addOption(Specs.defaulted(double.class, "<cpus>", "0", "CPUs the container may use, e.g. 0.5", "--cpus"));
        spec.addOption(Specs.defaulted(String.class, "<snapshotter>", "${env:" + RunRequest.SNAPSHOTTER_ENV + ":-" + RunRequest.DEFAULT_SNAPSHOTTER + "}",
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
        return ContainerRun.run(request(), main.namespace(), main::connect, spec.commandLine().getErr());
    }

    /** The request picocli parsed (after {@code parseArgs} or within {@code execute}). */
    public RunRequest request() {
        return new RunRequest(spec.positionalParameters().get(0).getValue(), spec.positionalParameters().get(1).getValue(),
                Specs.strings(spec, 2), Specs.isSet(spec, "--detach"), Specs.isSet(spec, "--rm"), Specs.isSet(spec, "--tty"),
                Specs.values(spec, "--env"), Specs.value(spec, "--env-file"), Specs.valueOr(spec, "--cwd", ""),
                Specs.valueOr(spec, "--user", ""), Specs.values(spec, "--mount"), Specs.isSet(spec, "--net-host"),
                Specs.isSet(spec, "--cni"), Specs.value(spec, "--cni-config"), Specs.values(spec, "--label"),
                Specs.value(spec, "--memory-limit"), Specs.value(spec, "--cpus"), Specs.value(spec, "--snapshotter"),
                Specs.value(spec, "--runtime"), Specs.isSet(spec, "--privileged"), Specs.isSet(spec, "--read-only"),
                Specs.value(spec, "--fifo-dir"));
    }
}
