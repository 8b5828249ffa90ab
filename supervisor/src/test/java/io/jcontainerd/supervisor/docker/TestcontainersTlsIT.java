package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * testcontainers-java 2.0.5, unchanged, against the Docker API on TCP with TLS and client-certificate
 * verification, configured as a user configures it: DOCKER_HOST=tcp://127.0.0.1:PORT, DOCKER_TLS_VERIFY=1
 * and DOCKER_CERT_PATH holding ca.pem, cert.pem and key.pem (openssl, made by this test). Each client
 * is a JVM of its own (TestcontainersTlsClient): testcontainers picks its Docker environment once per
 * JVM, and this failsafe JVM's is the unix socket of TestcontainersIT. Listens on 127.0.0.1 only.
 */
class TestcontainersTlsIT {
    @TempDir
    Path dir;

    @Test
    void genericContainerStartsWaitsForItsLogExecsAndStopsOverTlsAndAClientWithoutAValidCertificateIsRefused() throws Exception {
        TlsCertificates certs = TlsCertificates.make(Files.createDirectories(dir.resolve("certs")));
        Path good = certPath("good", certs, "cert.pem", "key.pem");
        Path rogue = certPath("rogue", certs, "rogue-cert.pem", "rogue-key.pem");
        int port = TlsCertificates.freePort();
        try (DockerFixture d = new DockerFixture(dir.resolve("d"), dir.resolve("d/docker.sock"), certs.dockerKeys(port))) {
            String host = "tcp://127.0.0.1:" + port;
            long since = System.currentTimeMillis() / 1000;

            Map<String, String> run = client(host, good, "lifecycle");
            assertThat(run).as("what the testcontainers JVM printed").containsEntry("dockerHost", host).containsEntry("tls", "true")
                    .containsEntry("running", "true").containsEntry("execExit", "3").containsEntry("execStdout", "out")
                    .containsEntry("execStderr", "err").containsEntry("logs", "ready").containsEntry("stopped", "true");
            String id = run.get("started");
            assertThat(id).matches("[0-9a-f]{64}");
            // it ran on this daemon, seen through its unix socket: created, started, exec'd in, killed, removed
            Cli.Result events = d.docker("events", "--since", String.valueOf(since), "--until", String.valueOf(System.currentTimeMillis() / 1000 + 1),
                    "--filter", "container=" + id, "--format", "{{.Action}}");
            assertThat(events.exit()).as(events.toString()).isZero();
            assertThat(events.out().lines().toList()).as(events.out()).contains("create", "start", "exec_create: sh -c echo out; echo err >&2; exit 3",
                    "exec_die", "kill", "die", "destroy");
            assertThat(d.docker("ps", "-aq").out()).as("stop() removed it").isEmpty();

            Map<String, String> otherCa = client(host, rogue, "ping");
            assertThat(otherCa).containsEntry("dockerHost", host);
            assertThat(otherCa.get("ping")).as("a client certificate another CA signed").startsWith("refused")
                    // the server's refusal of the certificate reaches the client as a TLS alert, or, when the client is
                    // still writing its request, as the connection closed under it (seen once at load 28)
                    .containsAnyOf("certificate", "SSL", "handshake", "Broken pipe", "Connection reset");

            Map<String, String> plain = client(host, null, "ping");
            assertThat(plain.get("ping")).as("plain HTTP to the TLS port").startsWith("refused");
            assertThat(d.docker("ps", "-aq").out()).isEmpty();
        }
    }

    /** A DOCKER_CERT_PATH: the CA, and a client certificate and key under the names docker-java reads. */
    private Path certPath(String name, TlsCertificates certs, String cert, String key) throws IOException {
        Path p = Files.createDirectories(dir.resolve(name));
        Files.copy(certs.file("ca.pem"), p.resolve("ca.pem"));
        Files.copy(certs.file(cert), p.resolve("cert.pem"));
        Files.copy(certs.file(key), p.resolve("key.pem"));
        return p;
    }

    /** Runs TestcontainersTlsClient in a JVM of its own with the environment a user sets; its key=value lines. */
    private Map<String, String> client(String host, Path certPath, String mode) throws IOException {
        Path home = Files.createDirectories(dir.resolve("home-" + mode + "-" + (certPath == null ? "plain" : certPath.getFileName())));
        Map<String, String> env = new HashMap<>(Map.of("DOCKER_HOST", host, "HOME", home.toString(),
                "TESTCONTAINERS_RYUK_DISABLED", "true", "TESTCONTAINERS_HOST_OVERRIDE", "localhost"));
        if (certPath != null) {
            env.put("DOCKER_TLS_VERIFY", "1");
            env.put("DOCKER_CERT_PATH", certPath.toString());
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Cli.Result r = Cli.run(List.of(java, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                TestcontainersTlsClient.class.getName(), mode), env, 300);
        assertThat(r.exit()).as("the testcontainers JVM (" + mode + "): " + r).isZero();
        Map<String, String> facts = new HashMap<>();
        r.out().lines().filter(l -> l.contains("=")).forEach(l -> facts.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return facts;
    }
}
