package io.jcontainerd.supervisor.events;

import io.jcontainerd.testsupport.Await;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** containerd's `ctr events` subscribed to our daemon sees what other clients do. */
class EventsIT {
    @TempDir
    Path dir;

    @Test
    void ctrEventsSeesNamespaceAndSnapshotEventsFromOtherClients() throws Exception {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        try (DaemonProcess d = DaemonProcess.start(dir)) {
            Path out = dir.resolve("events.out");
            Process events = new ProcessBuilder("/usr/bin/ctr", "-a", d.socket().toString(), "events")
                    .redirectOutput(out.toFile()).redirectErrorStream(true).start();
            try {
                Await.subscribed(d.socket(), out);
                ctrOk(d, "namespaces", "create", "evns");
                ctrOk(d, "-n", "evns", "snapshots", "prepare", "k1");
                ctrOk(d, "-n", "evns", "snapshots", "rm", "k1");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline && !Files.readString(out).contains("/snapshot/remove")) {
                    Thread.sleep(50);
                }
                assertThat(Files.readString(out))
                        .containsPattern("evns +/namespaces/create +\\{\"name\":\"evns\"")
                        .containsPattern("evns +/snapshot/prepare +\\{\"key\":\"k1\"")
                        .contains("/snapshot/remove");
            } finally {
                events.destroy();
                events.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void ctrOk(DaemonProcess d, String... args) {
        var cmd = new java.util.ArrayList<>(List.of("/usr/bin/ctr", "-a", d.socket().toString()));
        cmd.addAll(List.of(args));
        Cli.Result r = Cli.run(cmd);
        assertThat(r.exit()).as(r.toString()).isZero();
    }
}
