package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.LocalRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker login} and {@code docker push} with the real CLI 28 against Debian's docker-registry
 * on loopback (writable, empty, with and without htpasswd auth), and against a registry that dies
 * in the middle of a blob.
 */
class DockerPushIT {
    private static final Pattern DIGEST_LINE = Pattern.compile("latest: digest: (sha256:[0-9a-f]{64}) size: (\\d+)");
    @TempDir
    Path dir;
    DockerFixture d;
    final List<AutoCloseable> registries = new ArrayList<>();

    @BeforeEach
    void start() {
        d = new DockerFixture(dir.resolve("daemon"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            d.close();
        } finally {
            for (AutoCloseable r : registries) {
                r.close();
            }
        }
    }

    @Test
    void aPushedImageIsPulledBackAfterRmiWithTheSameIdAndRuns() throws Exception {
        LocalRegistry registry = LocalRegistry.scratch(dir.resolve("registry"), false);
        registries.add(registry);
        d.pullBusybox();
        String id = d.docker("inspect", "--format", "{{.Id}}", "busybox").out().strip();
        String name = registry.host + "/x/bb";
        assertThat(d.docker("tag", "busybox", name).exit()).isZero();

        long t0 = System.nanoTime();
        Cli.Result push = d.docker("push", name);
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(push.exit()).as(push.toString()).isZero();
        assertThat(push.out()).contains("The push refers to repository [" + name + "]").contains("Pushed");
        Matcher m = DIGEST_LINE.matcher(push.out());
        assertThat(m.find()).as("the digest line in %s", push.out()).isTrue();
        HttpResponse<String> manifest = registry.get("x/bb/manifests/latest");
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).as("the registry has the manifest push printed").hasValue(m.group(1));
        assertThat(manifest.body().getBytes(StandardCharsets.UTF_8)).hasSize(Integer.parseInt(m.group(2)));

        t0 = System.nanoTime();
        Cli.Result again = d.docker("push", name);
        long againMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("DockerPushIT: docker push of busybox (%s bytes of manifest) %d ms to an empty repository, %d ms when every blob exists%n",
                m.group(2), firstMs, againMs);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("Layer already exists").doesNotContain("Pushed").contains(m.group(0));

        assertThat(d.docker("rmi", name, "busybox").exit()).isZero();
        assertThat(d.docker("images", "-q").out()).isEmpty();
        Cli.Result pull = d.docker("pull", name);
        assertThat(pull.exit()).as(pull.toString()).isZero();
        assertThat(d.docker("inspect", "--format", "{{.Id}}", name).out().strip()).as("the same image ID").isEqualTo(id);
        Cli.Result run = d.docker("run", "--rm", "--network", "none", name, "echo", "pushed and pulled");
        assertThat(run.out()).as(run.toString()).isEqualTo("pushed and pulled\n");
    }

    @Test
    void aPushMountsLayersFromAnotherRepositoryOfTheRegistryFallsBackToAnUploadAndRecordsRepoDigests() throws Exception {
        LocalRegistry registry = LocalRegistry.scratch(dir.resolve("mount-registry"), false);
        registries.add(registry);
        d.pullBusybox();
        String pulled = d.docker("inspect", "--format", "{{json .RepoDigests}}", "busybox").out().strip();
        assertThat(pulled).as("pulled by tag: the repository with the digest it was pulled by").matches("\\[\"busybox@sha256:[0-9a-f]{64}\"\\]");
        String src = registry.host + "/src/bb";
        String dst = registry.host + "/dst/bb";
        String third = registry.host + "/third/bb";
        assertThat(d.docker("tag", "busybox", src).exit()).isZero();
        assertThat(d.docker("inspect", "--format", "{{json .RepoDigests}}", "busybox").out().strip())
                .as("a tag is no digest of a registry's until pushed, as dockerd").isEqualTo(pulled);

        Cli.Result first = d.docker("push", src);
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).contains("Pushed").doesNotContain("Mounted from");
        Matcher m = DIGEST_LINE.matcher(first.out());
        assertThat(m.find()).as(first.out()).isTrue();
        String digest = m.group(1);
        assertThat(d.docker("inspect", "--format", "{{.RepoDigests}}", "busybox").out())
                .as("after the push, as dockerd: the pushed repository with the manifest's digest").contains(src + "@" + digest);

        // another repository of the same registry: the layer is mounted from src/bb, nothing uploaded
        assertThat(d.docker("tag", "busybox", dst).exit()).isZero();
        Cli.Result mounted = d.docker("push", dst);
        assertThat(mounted.exit()).as(mounted.toString()).isZero();
        assertThat(mounted.out()).contains("Mounted from src/bb").doesNotContain("Pushed").contains("latest: digest: " + digest);
        String layer = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(registry.get("dst/bb/manifests/latest").body()).path("layers").path(0).path("digest").asText();
        assertThat(registry.head("dst/bb/blobs/" + layer)).as("the mounted layer is in dst/bb").isEqualTo(200);
        assertThat(d.docker("inspect", "--format", "{{.RepoDigests}}", "busybox").out()).contains(dst + "@" + digest).contains(src + "@" + digest);

        // a source the registry does not have (a stale label): it answers 202 and the blob goes up through that session
        Cli.Result label = d.ctr("content", "label", layer, "containerd.io/distribution.source." + registry.host + "=gone/repo");
        assertThat(label.exit()).as(label.toString()).isZero();
        assertThat(d.docker("tag", "busybox", third).exit()).isZero();
        Cli.Result fallback = d.docker("push", third);
        assertThat(fallback.exit()).as(fallback.toString()).isZero();
        assertThat(fallback.out()).contains("Pushed").doesNotContain("Mounted from gone/repo").contains("latest: digest: " + digest);
        assertThat(registry.head("third/bb/blobs/" + layer)).isEqualTo(200);
        assertThat(registry.log()).contains("from=gone%2Frepo");
        Cli.Result pull = d.docker("pull", third);
        assertThat(pull.exit()).as(pull.toString()).isZero();
    }

    @Test
    void loginIsCheckedByTheRegistryAndPushUsesIt() throws Exception {
        LocalRegistry registry = LocalRegistry.scratch(dir.resolve("auth-registry"), true);
        registries.add(registry);
        d.pullBusybox();
        String name = registry.host + "/x/bb";
        assertThat(d.docker("tag", "busybox", name).exit()).isZero();
        Path config = dir.resolve("client");
        Files.createDirectories(config);

        Cli.Result anonymous = docker(config, "push", name);
        assertThat(anonymous.exit()).as(anonymous.toString()).isEqualTo(1);
        assertThat(anonymous.err() + anonymous.out()).contains("requires authentication").contains("401 Unauthorized");

        Cli.Result wrong = login(config, registry.host, "not-the-password");
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.err()).contains("login to " + registry.host + " refused").contains("401 Unauthorized")
                .doesNotContain("not-the-password");
        assertThat(config.resolve("config.json")).as("a refused login is not saved by the CLI").satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(Files.readString(p)).doesNotContain(registry.host));

        Cli.Result good = login(config, registry.host, LocalRegistry.PASSWORD);
        assertThat(good.exit()).as(good.toString()).isZero();
        assertThat(good.out()).contains("Login Succeeded");
        assertThat(Files.readString(config.resolve("config.json"))).contains(registry.host);

        Cli.Result push = docker(config, "push", name);
        assertThat(push.exit()).as(push.toString()).isZero();
        assertThat(push.out()).contains("Pushed").containsPattern(DIGEST_LINE);
        assertThat(d.daemon.log()).doesNotContain(LocalRegistry.PASSWORD).doesNotContain("not-the-password");
    }

    @Test
    void aRegistryThatDiesInTheMiddleOfABlobFailsThePushWithAClearError() throws Exception {
        DyingRegistry registry = new DyingRegistry();
        registries.add(registry);
        d.pullBusybox();
        String name = registry.host() + "/x/bb";
        assertThat(d.docker("tag", "busybox", name).exit()).isZero();
        long started = System.nanoTime();
        Cli.Result push = d.docker("push", name);
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(push.exit()).as(push.toString()).isEqualTo(1);
        assertThat(registry.dead()).isTrue();
        assertThat(registry.bytesReceived.get()).as("the registry took part of a blob").isPositive();
        assertThat(push.err()).contains("upload of").contains("to " + name).contains("failed after 5 attempts")
                .contains("cannot reach registry");
        assertThat(push.out()).contains("Preparing").doesNotContain("Pushed");
        System.out.printf("DockerPushIT: the push to a registry that died mid-blob failed after %d ms%n", ms);
        assertThat(ms).as("the push gives up in bounded time").isLessThan(60_000);
        Cli.Result images = d.docker("images", "--format", "{{.Repository}}");
        assertThat(images.out()).as("the local image is untouched").contains(name);
    }

    /** docker login -u USER --password-stdin HOST, the password through stdin. */
    private Cli.Result login(Path config, String host, String password) {
        return Cli.run(List.of("/bin/sh", "-c", "printf %s \"$PW\" | " + DockerFixture.DOCKER + " login -u " + LocalRegistry.USER
                        + " --password-stdin " + host),
                Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", config.toString(), "PW", password), 120);
    }

    private Cli.Result docker(Path config, String... args) {
        List<String> cmd = new ArrayList<>(List.of(DockerFixture.DOCKER));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", config.toString()), 120);
    }
}
