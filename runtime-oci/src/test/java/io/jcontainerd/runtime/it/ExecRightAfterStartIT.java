package io.jcontainerd.runtime.it;

import io.jcontainerd.runtime.container.Children;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.InitCommand;
import io.jcontainerd.runtime.container.PlanBuilder;
import io.jcontainerd.runtime.container.StdioFds;
import io.jcontainerd.runtime.spec.SpecLoader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library embedded as the shim embeds it: an exec issued the moment {@code start} returns (CRI's
 * StartContainer then ExecSync) joins the container's mount namespace, never the launch jail the init JVM's
 * main thread stays in until the execve (where no {@code sh} is on $PATH).
 */
class ExecRightAfterStartIT extends InBusyboxBundle {
    static final int ROUNDS = Integer.getInteger("execrace.rounds", 30);
    @Test
    void anExecRightAfterStartFindsTheImagesShellEveryTime() throws Exception {
        bundle.args("sleep", "1000");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, null);
        var base = SpecLoader.load(bundle.dir).process();
        var exec = new io.jcontainerd.runtime.spec.Process(false, null, base.user(), List.of("sh", "-c", "true"), base.env(),
                "/", base.capabilities(), base.rlimits(), base.noNewPrivileges(), null, null, null);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            String id = "execrace-" + UUID.randomUUID().toString().substring(0, 8);
            jrunc.created.add(id);
            containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, StdioFds.INHERITED);
            try {
                containers.start(id);
                int status = containers.exec(id, exec, false, null, null, 0, StdioFds.INHERITED);
                if (status != 0) failures.add("round " + i + ": sh -c true exited " + status);
            } catch (RuntimeException e) {
                failures.add("round " + i + ": " + e.getMessage());
            } finally {
                containers.delete(id, true);
            }
        }
        System.out.println("ExecRightAfterStartIT: " + failures.size() + " of " + ROUNDS + " execs failed " + failures);
        assertThat(failures).as("execs that failed right after start, of %d", ROUNDS).isEmpty();
    }

    @Test
    void anExecInACreatedContainerRunsInItsRootfsAsRuncDoes() throws Exception {
        bundle.args("sleep", "1000");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, null);
        var base = SpecLoader.load(bundle.dir).process();
        var exec = new io.jcontainerd.runtime.spec.Process(false, null, base.user(), List.of("sh", "-c", "test -x /bin/busybox"), base.env(),
                "/", base.capabilities(), base.rlimits(), base.noNewPrivileges(), null, null, null);
        String id = "execrace-" + UUID.randomUUID().toString().substring(0, 8);
        jrunc.created.add(id);
        containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, StdioFds.INHERITED);
        try {
            assertThat(jrunc.run("state", id).stdout()).contains("\"status\": \"created\"");
            assertThat(containers.exec(id, exec, false, null, null, 0, StdioFds.INHERITED)).as("sh -c 'test -x /bin/busybox'").isZero();
            containers.start(id);
            assertThat(containers.exec(id, exec, false, null, null, 0, StdioFds.INHERITED)).as("after start").isZero();
        } finally {
            containers.delete(id, true);
        }
    }
}
