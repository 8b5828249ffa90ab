package io.jcontainerd.shim;

import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.ShimGrpc;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShimLifecycleIT}'s tests on the installation's own jrunc, which the shim runs in its JVM
 * (the path every container of the daemon takes by default), plus what is particular to it.
 */
class InProcessShimLifecycleIT extends ShimLifecycleIT {
    private ShimHarness harness;

    @Override
    ShimHarness newHarness() throws Exception {
        harness = new ShimHarness(ShimHarness.JRUNC);
        return harness;
    }

    @Test
    void theInitIsTheShimsOwnChildAndTheJruncCommandSeesTheContainer() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        ShimGrpc.ShimBlockingStub shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).blocking()
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();
        long shimPid = ShimFiles.pid(bundle);

        assertThat(Files.readString(harness.dir.resolve(id + ".shim.log"))).contains("runtime " + ShimHarness.JRUNC + " in-process");
        assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)).contains(shimPid);
        assertThat(harness.runtimeList()).contains(id).contains("created");
        assertThat(ShimHarness.run(harness.dir, ShimHarness.JRUNC.toString(), "--root", harness.runtimeRoot.toString(), "state", id))
                .contains("\"pid\": " + pid).contains("\"status\": \"created\"");

        shim.start(StartRequest.newBuilder().setId(id).build());
        assertThat(harness.runtimeList()).contains("running");
        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(137);
        shim.delete(DeleteRequest.newBuilder().setId(id).build());
        assertThat(harness.runtimeList()).doesNotContain(id);
    }
}
