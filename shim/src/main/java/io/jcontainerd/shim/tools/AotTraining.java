package io.jcontainerd.shim.tools;

import com.google.protobuf.Empty;
import io.jcontainerd.api.services.events.v1.ForwardRequest;
import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.ExecProcessRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.PidsRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.StateRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.proto.ttrpc.TtrpcServer;
import io.jcontainerd.proto.ttrpc.TtrpcService;
import io.jcontainerd.shim.ShimClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Records the shim's AOT cache (JEP 483/514) with one training run: starts {@code bin/jcontainerd-shim}
 * with {@code -XX:AOTCacheOutput} without a task, as the supervisor starts its spare shims, runs a
 * busybox container through the calls the supervisor makes (create, start, state, exec, pids, kill,
 * wait, delete, shutdown), takes the events it forwards as the supervisor's events socket does, and
 * waits for the shim to exit, which writes the cache. The container runs
 * on the installation's own jrunc, in the shim's JVM (the path every container takes), so jrunc's
 * library classes are in the cache too. Needs root, runc (for {@code runc spec}) and busybox-static.
 *
 * <p>Usage: {@code java -cp <shim jar and libs> io.jcontainerd.shim.tools.AotTraining REPO OUTPUT.aot}
 */
public final class AotTraining {

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        Path output = Path.of(args[1]).toAbsolutePath();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jcd-shim-aot");
        String id = "aot-training";
        Path bundle = dir.resolve(id);
        Path root = dir.resolve("jrunc");
        Path jrunc = repo.resolve("bin/jrunc");
        Process shimProcess = null;
        Path daemon = dir.resolve("daemon.sock");
        TtrpcServer events = TtrpcServer.start(TtrpcEvents.socketFor(daemon), List.of(new TtrpcService(TtrpcEvents.SERVICE)
                .unary(TtrpcEvents.FORWARD, ForwardRequest.parser(), (request, call) -> Empty.getDefaultInstance())));
        try {
            makeBundle(bundle);
            Path socket = dir.resolve("shim.sock");
            ProcessBuilder builder = new ProcessBuilder(repo.resolve("bin/jcontainerd-shim").toString(),
                    "--address", daemon.toString(), "--socket", socket.toString(),
                    "--runtime", jrunc.toString(), "--runtime-root", root.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("shim.log").toFile());
            builder.environment().put("JCD_SHIM_JAVA_OPTS", "-XX:AOTCacheOutput=" + output);
            shimProcess = builder.start();
            for (int i = 0; i < 600 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            try (ShimClient client = ShimClient.connect(socket)) {
                ShimClient shim = client.withTimeout(Duration.ofSeconds(120));
                shim.connect(ConnectRequest.getDefaultInstance());
                shim.create(CreateTaskRequest.newBuilder().setId(id).setNamespace("default").setBundle(bundle.toString()).build());
                shim.start(StartRequest.newBuilder().setId(id).build());
                shim.state(StateRequest.newBuilder().setId(id).build());
                shim.exec(ExecProcessRequest.newBuilder().setId(id).setExecId("probe").setSpec(AnyCodec.packJson(TypeUrls.OCI_PROCESS,
                        "{\"args\":[\"true\"],\"cwd\":\"/\",\"env\":[\"PATH=/bin\"],\"user\":{\"uid\":0,\"gid\":0}}")).build());
                shim.start(StartRequest.newBuilder().setId(id).setExecId("probe").build());
                shim.wait(WaitRequest.newBuilder().setId(id).setExecId("probe").build());
                shim.delete(DeleteRequest.newBuilder().setId(id).setExecId("probe").build());
                shim.pids(PidsRequest.newBuilder().setId(id).build());
                shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
                shim.wait(WaitRequest.newBuilder().setId(id).build());
                shim.delete(DeleteRequest.newBuilder().setId(id).build());
                shim.shutdown(ShutdownRequest.getDefaultInstance());
            }
            if (!shimProcess.waitFor(120, TimeUnit.SECONDS) || !Files.exists(output)) {
                throw new IllegalStateException("the training shim wrote no AOT cache " + output + ": "
                        + Files.readString(dir.resolve("shim.log")));
            }
        } finally {
            events.close();
            if (shimProcess != null && shimProcess.isAlive()) {
                shimProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            run(List.of(jrunc.toString(), "--root", root.toString(), "delete", "--force", id));
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void makeBundle(Path bundle) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "sleep", "true")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Process spec = new ProcessBuilder("/usr/sbin/runc", "spec").directory(bundle.toFile()).inheritIO().start();
        if (spec.waitFor() != 0) {
            throw new IllegalStateException("runc spec failed in " + bundle);
        }
        Path config = bundle.resolve("config.json");
        String json = Files.readString(config, StandardCharsets.UTF_8)
                .replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[\\s*\"sh\"\\s*]", "\"args\": [\"sleep\", \"1000\"]");
        if (!json.contains("\"sleep\", \"1000\"")) {
            throw new IllegalStateException("unexpected runc spec output in " + config);
        }
        Files.writeString(config, json);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                .waitFor(30, TimeUnit.SECONDS);
    }
}
