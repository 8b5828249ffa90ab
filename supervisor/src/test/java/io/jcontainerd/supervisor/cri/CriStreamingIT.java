package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.AttachRequest;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatusRequest;
import io.jcontainerd.api.cri.v1.CreateContainerRequest;
import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.api.cri.v1.ImageServiceGrpc;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.ListPodSandboxRequest;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PortForwardRequest;
import io.jcontainerd.api.cri.v1.PullImageRequest;
import io.jcontainerd.api.cri.v1.RemovePodSandboxRequest;
import io.jcontainerd.api.cri.v1.RunPodSandboxRequest;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.api.cri.v1.StartContainerRequest;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestCgroups;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CRI streaming server against the real daemon and a real pod, with the JDK's WebSocket
 * client speaking what kubectl's WebSocket executor speaks, and the real kubectl over WebSocket and
 * SPDY/3.1 through a kubelet-style proxy: Exec over v4/v5.channel.k8s.io
 * (output, exit code in the status, stdin, tty and resize), Attach to a running container's output
 * and stdin (tty and resize too), PortForward into the pod's network
 * namespace, single-use tokens, bounded frames. Its pod network is a bridge and subnet of its own,
 * removed at the end; no packet leaves the machine.
 */
class CriStreamingIT {
    static Path dir;
    static DaemonProcess daemon;
    /** The pod's cgroup parent, as kubelet gives one: the test's own, removed with the daemon (not the shared /k8s.io). */
    static final String CGROUP_PARENT = TestCgroups.uniqueParent("cristream");
    static UnixGrpcChannel channel;
    static DaemonConfig.NetworkConfig network;
    static RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    static String pod;
    static String shell;
    static String image;
    static PodSandboxConfig podConfig;

    @BeforeAll
    static void start() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        dir = Files.createTempDirectory("jcd-cristream-");
        int n = ThreadLocalRandom.current().nextInt(1, 250);
        String bridge = "jcrs" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        network = new DaemonConfig.NetworkConfig(bridge, "10.219." + n + ".0/24", "10.220." + n + ".0/24",
                DaemonConfig.NetworkConfig.DEFAULT.pluginDirs(), true);
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"), """
                [registry]
                config_path = "%s"
                [docker]
                address = "%s"
                [network]
                bridge = "%s"
                subnet = "%s"
                pool = "%s"
                """.formatted(registry.hostsDir(), dir.resolve("docker.sock"), bridge, network.subnet(), network.pool()));
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        channel = new UnixGrpcChannel(daemon.socket());
        runtime = RuntimeServiceGrpc.newBlockingStub(channel.raw());
        image = ImageServiceGrpc.newBlockingStub(channel.raw()).withDeadlineAfter(300, TimeUnit.SECONDS)
                .pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage("busybox")).build()).getImageRef();
        podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("streams").setUid("uid-streams").setNamespace("default"))
                .setHostname("streams")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)).build();
        pod = rt().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId();
        shell = startContainer(podConfig, image, "shell", List.of("sleep", "3600"));
        // an HTTP server on the pod's own loopback only: the host's 127.0.0.1:8080 is not it
        startContainer(podConfig, image, "web", List.of("sh", "-c",
                "mkdir -p /www && echo content-from-the-pod > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"));
        // running is not listening: wait until the pod's own loopback serves the page (seen from the shell container)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!rt().execSync(io.jcontainerd.api.cri.v1.ExecSyncRequest.newBuilder().setContainerId(shell)
                .addAllCmd(List.of("sh", "-c", "wget -q -O- http://127.0.0.1:8080/index.html || true")).setTimeout(30).build())
                .getStdout().toStringUtf8().contains("content-from-the-pod")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pod's httpd did not serve within 60 s\n" + daemon.log());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (runtime != null) {
                for (var s : rt().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
                    rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(s.getId()).build());
                }
            }
        } finally {
            if (channel != null) {
                channel.close();
            }
            if (daemon != null) {
                daemon.close();
            }
            if (network != null) {
                NetworkManager.open(network, dir.resolve("root"), dir.resolve("state")).removeHostState();
            }
            Cli.run(List.of("rm", "-rf", dir.toString()));
            assertThat(TestCgroups.remove(CGROUP_PARENT)).as("cgroups left under " + CGROUP_PARENT).isEmpty();
        }
    }

    static RuntimeServiceGrpc.RuntimeServiceBlockingStub rt() {
        return runtime.withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    static String startContainer(PodSandboxConfig podConfig, String image, String name, List<String> command) {
        return startContainer(podConfig, ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image)).addAllCommand(command).build());
    }

    static String startContainer(PodSandboxConfig podConfig, ContainerConfig c) {
        String name = c.getMetadata().getName();
        String id = rt().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(c).setSandboxConfig(podConfig).build())
                .getContainerId();
        rt().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rt().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()).getStatus().getState()
                != ContainerState.CONTAINER_RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " not running after 60 s\n" + daemon.log());
            }
            Thread.onSpinWait();
        }
        return id;
    }

    static String execUrl(List<String> cmd, boolean tty, boolean stdin) {
        return rt().exec(ExecRequest.newBuilder().setContainerId(shell).addAllCmd(cmd).setTty(tty).setStdin(stdin)
                .setStdout(true).setStderr(!tty).build()).getUrl();
    }

    @Test
    void execShowsTheOutputOnChannel1AndTheExitCodeInTheStatusOnChannel3() throws Exception {
        String url = execUrl(List.of("sh", "-c", "echo hi; echo oops >&2; exit 3"), false, false);
        assertThat(url).startsWith("http://127.0.0.1:").contains("/exec/");

        try (K8sStreamClient c = K8sStreamClient.connect(url, "v4.channel.k8s.io")) {
            assertThat(c.protocol()).isEqualTo("v4.channel.k8s.io");
            String status = c.await(ContainerStreams.ERROR, s -> s.endsWith("}"));
            assertThat(c.text(ContainerStreams.STDOUT)).isEqualTo("hi\n");
            assertThat(c.text(ContainerStreams.STDERR)).isEqualTo("oops\n");
            assertThat(status).contains("\"status\":\"Failure\"").contains("\"reason\":\"NonZeroExitCode\"")
                    .contains("{\"reason\":\"ExitCode\",\"message\":\"3\"}");
            assertThat(c.awaitClose()).isEqualTo(1000);
        }
        // exit 0: Success; and the round trip (Exec call, connect, output, status) timed
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            long t0 = System.nanoTime();
            try (K8sStreamClient c = K8sStreamClient.connect(execUrl(List.of("echo", "ok"), false, false), "v5.channel.k8s.io")) {
                String status = c.await(ContainerStreams.ERROR, s -> s.endsWith("}"));
                micros.add((System.nanoTime() - t0) / 1000);
                assertThat(status).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
                assertThat(c.text(ContainerStreams.STDOUT)).isEqualTo("ok\n");
            }
        }
        Collections.sort(micros);
        System.out.printf("CRI streaming exec round trip (Exec RPC + WebSocket + echo + status), 7 runs: median %.1f ms, min %.1f, max %.1f%n",
                micros.get(3) / 1000.0, micros.getFirst() / 1000.0, micros.getLast() / 1000.0);
    }

    @Test
    void execStdinRoundTripsThroughCatAndClosingItEndsTheCommand() throws Exception {
        try (K8sStreamClient c = K8sStreamClient.connect(execUrl(List.of("cat"), false, true), "v5.channel.k8s.io")) {
            c.send(ContainerStreams.STDIN, "first line\n");
            c.await(ContainerStreams.STDOUT, s -> s.equals("first line\n"));
            c.send(ContainerStreams.STDIN, "second line\n");
            c.await(ContainerStreams.STDOUT, s -> s.equals("first line\nsecond line\n"));
            c.closeStream(ContainerStreams.STDIN); // v5: stdin closed, cat reads EOF and exits 0
            assertThat(c.await(ContainerStreams.ERROR, s -> s.endsWith("}"))).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
        }
    }

    @Test
    void execWithATerminalTakesTheSizeTheClientSends() throws Exception {
        try (K8sStreamClient c = K8sStreamClient.connect(execUrl(List.of("sh", "-c", "read x; stty size; exit 0"), true, true),
                "v4.channel.k8s.io")) {
            c.send(ContainerStreams.RESIZE, "{\"Width\":123,\"Height\":45}");
            c.send(ContainerStreams.STDIN, "go\n");
            assertThat(c.await(ContainerStreams.STDOUT, s -> s.contains("45 123"))).contains("45 123");
            assertThat(c.await(ContainerStreams.ERROR, s -> s.endsWith("}"))).contains("Success");
            assertThat(c.text(ContainerStreams.STDERR)).isEmpty();
        }
    }

    @Test
    void aTokenServesOneConnectionAndAnUnknownOneIsNotFound() throws Exception {
        String url = execUrl(List.of("true"), false, false);
        try (K8sStreamClient c = K8sStreamClient.connect(url, "v4.channel.k8s.io")) {
            c.await(ContainerStreams.ERROR, s -> s.endsWith("}"));
        }
        assertThatThrownBy(() -> K8sStreamClient.connect(url, "v4.channel.k8s.io"))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(e.getCause())
                        .isInstanceOfSatisfying(WebSocketHandshakeException.class, h -> assertThat(h.getResponse().statusCode()).isEqualTo(404)));
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(404);
        assertThat(plain.body()).contains("unknown, used or expired token");
        String guessed = url.substring(0, url.lastIndexOf('/') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(guessed)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    @Test
    void streamsForUnknownContainersOrPodsAreRefusedAtTheCall() {
        assertThatThrownBy(() -> rt().exec(ExecRequest.newBuilder().setContainerId("no-such-container").addCmd("true").setStdout(true).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> rt().attach(AttachRequest.newBuilder().setContainerId("no-such-container").setStdout(true).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> rt().portForward(PortForwardRequest.newBuilder().setPodSandboxId("no-such-pod").addPort(80).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> rt().exec(ExecRequest.newBuilder().setContainerId(shell).addCmd("true").setTty(true).setStderr(true).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("tty and stderr cannot both be true");
                });
    }

    @Test
    void portForwardReachesAServerOnThePodsOwnLoopback() throws Exception {
        String url = rt().portForward(PortForwardRequest.newBuilder().setPodSandboxId(pod).addPort(8080).build()).getUrl();
        assertThat(url).contains("/portforward/");
        try (K8sStreamClient c = K8sStreamClient.connect(url, "portforward.k8s.io")) {
            // each channel of the pair first carries the port, uint16 little endian
            c.await(0, s -> c.bytes(0).length >= 2);
            assertThat(new byte[]{c.bytes(0)[0], c.bytes(0)[1]}).containsExactly(0x90, 0x1f);
            c.send(0, "GET /index.html HTTP/1.0\r\nHost: pod\r\n\r\n");
            assertThat(c.await(0, s -> s.contains("content-from-the-pod"))).contains("HTTP/1.").contains("200");
            assertThat(c.awaitClose()).as("closed once the pod's server closed its connection").isEqualTo(1000);
            assertThat(c.text(1).substring(2)).as("error channel after the port").isEmpty();
        }
        // the port given in the URL when the call named none; a port nothing listens on: the error channel says so
        String bare = rt().portForward(PortForwardRequest.newBuilder().setPodSandboxId(pod).build()).getUrl();
        try (K8sStreamClient c = K8sStreamClient.connect(bare + "?port=8081", "v4.channel.k8s.io")) {
            assertThat(c.await(1, s -> s.contains("Connection refused"))).contains("error forwarding port 8081");
        }
    }

    @Test
    void attachShowsARunningContainersOutputAndPassesStdinToIt() throws Exception {
        String ticker = startContainer(podConfig, image, "ticker", List.of("sh", "-c", "while true; do echo tick; sleep 0.2; done"));
        String url = rt().attach(AttachRequest.newBuilder().setContainerId(ticker).setStdout(true).setStderr(true).build()).getUrl();
        assertThat(url).contains("/attach/");
        try (K8sStreamClient c = K8sStreamClient.connect(url, "v5.channel.k8s.io")) {
            c.await(ContainerStreams.STDOUT, s -> s.contains("tick\ntick\n"));
        }
        String reader = startContainer(podConfig, ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("reader"))
                .setImage(ImageSpec.newBuilder().setImage(image)).setStdin(true).setStdinOnce(true)
                .addAllCommand(List.of("sh", "-c", "while read l; do echo got $l; done; echo stdin-ended")).build());
        try (K8sStreamClient c = K8sStreamClient.connect(rt().attach(AttachRequest.newBuilder().setContainerId(reader)
                .setStdin(true).setStdout(true).setStderr(true).build()).getUrl(), "v5.channel.k8s.io")) {
            c.send(ContainerStreams.STDIN, "one\n");
            c.await(ContainerStreams.STDOUT, s -> s.equals("got one\n"));
            c.closeStream(ContainerStreams.STDIN); // stdin_once: the container reads EOF
            c.await(ContainerStreams.STDOUT, s -> s.endsWith("stdin-ended\n"));
            assertThat(c.await(ContainerStreams.ERROR, s -> s.endsWith("}"))).as("the container ended: the attach with it")
                    .isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
        }
    }

    @Test
    void attachToATerminalContainerTakesTheSizeTheClientSends() throws Exception {
        String term = startContainer(podConfig, ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("term"))
                .setImage(ImageSpec.newBuilder().setImage(image)).setStdin(true).setTty(true)
                .addAllCommand(List.of("sh", "-c", "while read x; do stty size; done")).build());
        try (K8sStreamClient c = K8sStreamClient.connect(rt().attach(AttachRequest.newBuilder().setContainerId(term)
                .setStdin(true).setStdout(true).setTty(true).build()).getUrl(), "v4.channel.k8s.io")) {
            c.send(ContainerStreams.RESIZE, "{\"Width\":101,\"Height\":31}");
            c.send(ContainerStreams.STDIN, "size\n");
            c.await(ContainerStreams.STDOUT, s -> s.contains("31 101"));
        }
    }

    @Test
    void kubectlExecsThroughAKubeletStyleProxyOverWebSocketAndSpdy() throws Exception {
        Path kubectl = Cli.requireTool("/usr/bin/kubectl", "kubernetes-client");
        try (FakeApiServer api = new FakeApiServer(CriStreamingIT::rt, "streams", pod, java.util.Map.of("shell", shell))) {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), api.kubeconfig());
            Path home = Files.createDirectories(dir.resolve("kubectl-home"));
            for (String websockets : List.of("true", "false")) {
                java.util.Map<String, String> env = java.util.Map.of("HOME", home.toString(), "KUBECTL_REMOTE_COMMAND_WEBSOCKETS", websockets);
                String k = kubectl + " --kubeconfig " + kubeconfig + " --cache-dir " + home.resolve("cache") + " --request-timeout 60s";
                Cli.Result r = Cli.run(List.of("sh", "-c", k + " exec streams -c shell -- sh -c 'echo hi; echo oops >&2; exit 3'"), env, 120);
                assertThat(r.out()).as("websockets=" + websockets + ": " + r).isEqualTo("hi\n");
                assertThat(r.err()).as("websockets=" + websockets).contains("oops");
                assertThat(r.exit()).as("websockets=" + websockets + ": " + r).isEqualTo(3);
                Cli.Result cat = Cli.run(List.of("sh", "-c", "printf 'piped through\\n' | " + k + " exec -i streams -c shell -- cat"), env, 120);
                assertThat(cat.out()).as("websockets=" + websockets + ": " + cat).isEqualTo("piped through\n");
                assertThat(cat.exit()).isZero();
            }
        }
    }

    @Test
    void kubectlPortForwardsOverSpdyIntoThePod() throws Exception {
        Path kubectl = Cli.requireTool("/usr/bin/kubectl", "kubernetes-client");
        try (FakeApiServer api = new FakeApiServer(CriStreamingIT::rt, "streams", pod, java.util.Map.of("shell", shell))) {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig-pf"), api.kubeconfig());
            Path home = Files.createDirectories(dir.resolve("kubectl-home-pf"));
            ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "--cache-dir",
                    home.resolve("cache").toString(), "port-forward", "streams", "--address", "127.0.0.1", ":8080")
                    .redirectErrorStream(true);
            pb.environment().putAll(java.util.Map.of("HOME", home.toString(), "KUBECTL_PORT_FORWARD_WEBSOCKETS", "false"));
            Process p = pb.start();
            try {
                var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                String line = lines.readLine(); // "Forwarding from 127.0.0.1:<local> -> 8080"
                assertThat(line).as("kubectl port-forward's first line").isNotNull().contains("-> 8080");
                int local = Integer.parseInt(line.replaceAll(".*127\\.0\\.0\\.1:(\\d+) .*", "$1"));
                StringBuffer output = new StringBuffer(line).append('\n');
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        String l;
                        while ((l = lines.readLine()) != null) {
                            output.append(l).append('\n');
                        }
                    } catch (java.io.IOException e) {
                        // kubectl ended
                    }
                });
                try {
                    for (int i = 0; i < 2; i++) { // two connections: two stream pairs on the one SPDY connection
                        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + local + "/index.html")).timeout(java.time.Duration.ofSeconds(60)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).isEqualTo(200);
                        assertThat(r.body()).isEqualTo("content-from-the-pod\n");
                    }
                } catch (Exception | AssertionError e) {
                    throw new AssertionError("kubectl port-forward (alive: " + p.isAlive() + ") said:\n" + output + "\ndaemon log:\n" + daemon.log(), e);
                }
            } finally {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    @Test
    void aFrameLargerThanTheBoundClosesTheConnection() throws Exception {
        try (K8sStreamClient c = K8sStreamClient.connect(execUrl(List.of("cat"), false, true), "v5.channel.k8s.io")) {
            c.send(ContainerStreams.STDIN, "before\n");
            c.await(ContainerStreams.STDOUT, s -> s.equals("before\n"));
            try {
                c.send(ContainerStreams.STDIN, new byte[2 << 20]);
            } catch (ExecutionException e) {
                // the server may close before the whole frame is sent
            }
            // 1009 (message too big), or a reset when the server closes while the client still sends
            assertThat(c.awaitClose()).as("close code").isIn(1009, -1);
        }
        // the daemon serves on
        try (K8sStreamClient c = K8sStreamClient.connect(execUrl(List.of("echo", "still"), false, false), "v5.channel.k8s.io")) {
            c.await(ContainerStreams.STDOUT, s -> s.equals("still\n"));
        }
    }
}
