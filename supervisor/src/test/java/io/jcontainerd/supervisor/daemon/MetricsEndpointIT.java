package io.jcontainerd.supervisor.daemon;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * [metrics] address: a daemon pulls, runs a container that exits 3 (containerd's ctr) and removes the
 * image; Prometheus's own text parser (the Prometheus Python client's, Debian's python3-prometheus-client)
 * reads GET /v1/metrics and finds the calls, the pull, the task, the shims, the content and the collection.
 */
class MetricsEndpointIT {
    private static final String IMAGE = TestRegistry.dockerHubReference("busybox:latest");
    private static final String PARSE = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            print(json.dumps([{"name": f.name, "type": f.type,
                               "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                              for f in text_string_to_metric_families(open(sys.argv[1]).read())]))
            """;
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void servesPrometheusTextThatPrometheusParsesWithCallsPullsTasksShimsContentAndCollections() throws Exception {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        Cli.requireTool("/usr/bin/python3", "python3");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"), "[registry]\nconfig_path = \"" + TestRegistry.shared().hostsDir()
                + "\"\n[metrics]\naddress = \"127.0.0.1:" + port + "\"\n");
        URI metrics = URI.create("http://127.0.0.1:" + port + "/v1/metrics");
        String id = "metrics-" + ProcessHandle.current().pid();
        // the test's own namespace: its cgroups (/<ns> in every hierarchy) and /run/jrunc/<ns> go at the end
        String ns = TestNamespaces.unique("metrics");
        List<String> left;
        try (DaemonProcess daemon = DaemonProcess.start(dir, "--config", config.toString());
             UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
            daemon.awaitLog("metrics on http://127.0.0.1:" + port + "/v1/metrics");
            PullGrpc.newBlockingStub(ch.namespaced(ns)).pull(PullRequest.newBuilder().setReference(IMAGE).setUnpack(true).build())
                    .forEachRemaining(e -> { });
            assertThatThrownBy(() -> PullGrpc.newBlockingStub(ch.namespaced(ns))
                    .pull(PullRequest.newBuilder().setReference(TestRegistry.dockerHubReference("busybox:no-such-tag")).build())
                    .forEachRemaining(e -> { })).isInstanceOf(StatusRuntimeException.class);
            Cli.Result run = Cli.run(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "--namespace", ns, "run", "--rm", IMAGE, id, "sh", "-c", "exit 3"),
                    Map.of(), 120);
            assertThat(run.exit()).as(run.toString()).isEqualTo(3);

            List<Sample> during = await(metrics, "jcontainerd_tasks_exited_total", Map.of("exit_status", "3"), 1);
            assertThat(value(await(metrics, "jcontainerd_shims", Map.of(), 1), "jcontainerd_shims", Map.of())).as("the spare shim")
                    .isGreaterThanOrEqualTo(1);
            assertThat(value(during, "jcontainerd_tasks_started_total", Map.of())).isGreaterThanOrEqualTo(1);
            assertThat(value(during, "jcontainerd_tasks_running", Map.of())).isZero();
            assertThat(value(during, "jcontainerd_pull_bytes_total", Map.of())).isGreaterThan(0);
            assertThat(value(during, "jcontainerd_pull_layers_total", Map.of())).isGreaterThanOrEqualTo(1);
            assertThat(value(during, "jcontainerd_pulls_seconds_count", Map.of("result", "ok"))).isEqualTo(1);
            assertThat(value(during, "jcontainerd_pulls_seconds_count", Map.of("result", "error"))).isEqualTo(1);
            assertThat(value(during, "jcontainerd_pulls_seconds_sum", Map.of("result", "ok"))).isGreaterThan(0);
            assertThat(value(during, "jcontainerd_content_bytes", Map.of())).isGreaterThan(0);
            assertThat(value(during, "jcontainerd_snapshot_operations_total", Map.of("op", "prepare")))
                    .as("ctr run prepares the rootfs through the Snapshots service").isGreaterThanOrEqualTo(1);
            assertThat(value(during, "jcontainerd_grpc_calls_seconds_count",
                    Map.of("method", "jcontainerd.pull.v1.Pull/Pull", "code", "NOT_FOUND"))).isEqualTo(1);
            assertThat(value(during, "jcontainerd_grpc_calls_seconds_count",
                    Map.of("method", "containerd.services.tasks.v1.Tasks/Start", "code", "OK"))).isEqualTo(1);

            ImagesGrpc.newBlockingStub(ch.namespaced(ns)).delete(DeleteImageRequest.newBuilder().setName(IMAGE).setSync(true).build());
            List<Sample> after = scrape(metrics);
            assertThat(value(after, "jcontainerd_gc_seconds_count", Map.of())).isGreaterThanOrEqualTo(1);
            assertThat(value(after, "jcontainerd_gc_removed_total", Map.of("kind", "blob"))).isGreaterThanOrEqualTo(3);
            assertThat(value(after, "jcontainerd_content_bytes", Map.of())).isZero();

            HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(metrics.resolve("/v1/other")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        } finally {
            left = TestNamespaces.remove(ns);
        }
        assertThat(left).as("cgroups and runtime state left of namespace " + ns).isEmpty();
    }

    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** Scrapes until the sample reaches {@code atLeast} (events and the spare's boot are asynchronous), up to 60 s. */
    private List<Sample> await(URI metrics, String name, Map<String, String> labels, double atLeast) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            List<Sample> samples = scrape(metrics);
            if (value(samples, name, labels) >= atLeast) {
                return samples;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no sample " + name + labels + " >= " + atLeast + " within 60 s in " + samples);
            }
            Thread.sleep(100);
        }
    }

    /** GETs the endpoint and parses it with Prometheus's text parser; the families flattened to samples. */
    private List<Sample> scrape(URI metrics) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Path text = Files.writeString(dir.resolve("scrape.txt"), r.body());
        Cli.Result parsed = Cli.run(List.of("/usr/bin/python3", "-c", PARSE, text.toString()), Map.of(), 60);
        assertThat(parsed.exit()).as("Prometheus's parser on the scrape (python3-prometheus-client): " + parsed).isZero();
        List<Sample> out = new ArrayList<>();
        for (JsonNode family : JSON.readTree(parsed.out())) {
            for (JsonNode s : family.get("samples")) {
                Map<String, String> labels = JSON.convertValue(s.get("labels"), JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
                out.add(new Sample(s.get("name").asText(), labels, s.get("value").asDouble()));
            }
        }
        return out;
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }
}
