package io.jcontainerd.ctr.run;

import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.output.Labels;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a {@link RunRequest} as ctr 1.6's run does: create the container from its image, start its task
 * detached or attached to our stdio, and with {@code --rm} remove the container and its snapshot at the end.
 * The same for picocli's {@code run} and {@code ShortCommand}'s plain form.
 */
public final class ContainerRun {
    private ContainerRun() {
    }

    /** The exit code: the task's exit status when attached, 0 when detached, 1 after a message on {@code err}. */
    public static int run(RunRequest r, String namespace, Supplier<Connection> connect, PrintWriter err) throws IOException {
        if (r.detach() && r.rm()) {
            err.println("jctr: -d and --rm cannot be used together: a detached task is removed with `jctr tasks rm` and `jctr containers rm`");
            return 1;
        }
        List<String> allEnv = new ArrayList<>();
        if (r.envFile() != null) {
            Files.readAllLines(r.envFile()).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(allEnv::add);
        }
        allEnv.addAll(r.env());
        if (r.cni() && r.netHost()) {
            err.println("jctr: --cni and --net-host cannot be used together");
            return 1;
        }
        String id = r.id();
        List<RunOptions.BindMount> binds = r.mounts().stream().map(RunOptions.BindMount::parse).toList();
        CniNetworks networks = null;
        try (var conn = connect.get()) {
            RunOptions.CniAttachment attachment = null;
            if (r.cni()) {
                networks = CniNetworks.of(r.cniConfig());
                attachment = networks.setUp(namespace, id);
            }
            RunOptions options = new RunOptions(allEnv, r.cwd(), r.user(), binds, r.netHost(), r.memoryLimit(), r.cpus(),
                    r.privileged(), r.readOnly(), r.tty(), r.args(), attachment);
            Stubs stubs = Stubs.on(conn);
            var creator = new ContainerCreator(conn, namespace);
            ContainerCreator.Created created;
            try {
                created = creator.create(id, r.image(), options, r.snapshotter(), r.runtime(), Labels.parse(r.labels()));
            } catch (RuntimeException e) {
                if (networks != null) {
                    networks.tearDown(namespace, id);
                }
                throw e;
            }
            var launcher = new TaskLauncher(stubs, r.fifoDir());
            try {
                if (r.detach()) {
                    launcher.startDetached(id, created.rootfs(), r.tty());
                    return 0;
                }
                try {
                    return launcher.runAttached(id, created.rootfs(), r.tty());
                } finally {
                    if (r.rm()) {
                        launcher.removeContainer(id, r.snapshotter());
                        if (networks != null) {
                            networks.tearDown(namespace, id);
                        }
                    }
                }
            } finally {
                created.awaitLeaseDeleted();
            }
        } catch (RunException e) {
            err.println("jctr: " + e.getMessage());
            return 1;
        }
    }
}
