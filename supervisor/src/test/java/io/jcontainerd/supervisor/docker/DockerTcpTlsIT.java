package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker API on TCP with TLS as dockerd --tlsverify serves it, driven by the real docker CLI 28
 * with certificates made by openssl for this test: with the client certificate everything works
 * (version, run --rm, stdin piped through a TLS hijack); without one, with one from another CA, or
 * in plain HTTP, nothing is answered. Plain TCP serves on loopback. A private key open to others and
 * a plain listener beyond loopback stop the daemon at start with the option named. Listens on
 * 127.0.0.1 only.
 */
class DockerTcpTlsIT {
    @TempDir
    Path dir;

    @Test
    void theCliWithItsClientCertificateRunsContainersOverTlsAndWithoutOneGetsNothing() throws Exception {
        TlsCertificates certs = TlsCertificates.make(Files.createDirectories(dir.resolve("certs")));
        int port = TlsCertificates.freePort();
        try (DockerFixture d = new DockerFixture(dir.resolve("d"), dir.resolve("d/docker.sock"), certs.dockerKeys(port))) {
            String host = "tcp://127.0.0.1:" + port;
            List<String> tls = List.of("--tlsverify", "--tlscacert", certs.file("ca.pem").toString(),
                    "--tlscert", certs.file("cert.pem").toString(), "--tlskey", certs.file("key.pem").toString(), "-H", host);

            Cli.Result version = docker(d, tls, "version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}");
            assertThat(version.exit()).as(version + "\n" + d.daemon.log()).isZero();
            assertThat(version.out()).matches("1\\.\\d+ linux\n");
            assertThat(d.daemon.log()).contains("Docker API also serving on " + host + " (TLS, client certificates signed by");

            Cli.Result run = docker(d, tls, "run", "--rm", "busybox", "echo", "hi");
            assertThat(run.exit()).as(run + "\n" + d.daemon.log()).isZero();
            assertThat(run.out()).isEqualTo("hi\n");
            // stdin through the hijacked TLS connection, its end (the client's close) ending cat
            Cli.Result piped = Cli.run(List.of("/bin/sh", "-c", "printf 'over tls\\n' | " + DockerFixture.DOCKER + " "
                    + String.join(" ", tls) + " run -i --rm busybox cat"), d.env(), 120);
            assertThat(piped.exit()).as(piped + "\n" + d.daemon.log()).isZero();
            assertThat(piped.out()).isEqualTo("over tls\n");
            Cli.Result ps = docker(d, tls, "ps", "-a", "--format", "{{.Names}}");
            assertThat(ps.exit()).isZero();

            Cli.Result noCert = docker(d, List.of("--tlsverify", "--tlscacert", certs.file("ca.pem").toString(), "-H", host), "version");
            assertThat(noCert.exit()).as(noCert.toString()).isNotZero();
            assertThat(noCert.out() + noCert.err()).containsAnyOf("certificate required", "bad certificate", "handshake failure");
            assertThat(noCert.out()).doesNotContain("Server:");

            Cli.Result otherCa = docker(d, List.of("--tlsverify", "--tlscacert", certs.file("ca.pem").toString(),
                    "--tlscert", certs.file("rogue-cert.pem").toString(), "--tlskey", certs.file("rogue-key.pem").toString(), "-H", host),
                    "version");
            assertThat(otherCa.exit()).as(otherCa.toString()).isNotZero();
            assertThat(otherCa.out()).doesNotContain("Server:");

            // plain HTTP to the TLS port gets no Docker answer
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = s.getInputStream().readNBytes(64);
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("OK");
            }
        }
    }

    @Test
    void plainTcpOnLoopbackServesTheCliWithoutTls() throws Exception {
        int port = TlsCertificates.freePort();
        try (DockerFixture d = new DockerFixture(dir.resolve("p"), dir.resolve("p/docker.sock"), "tcp = \"127.0.0.1:%d\"".formatted(port))) {
            List<String> plain = List.of("-H", "tcp://127.0.0.1:" + port);
            Cli.Result run = docker(d, plain, "run", "--rm", "busybox", "echo", "plain");
            assertThat(run.exit()).as(run + "\n" + d.daemon.log()).isZero();
            assertThat(run.out()).isEqualTo("plain\n");
            assertThat(d.daemon.log()).contains("Docker API also serving on tcp://127.0.0.1:" + port + " (plain TCP, loopback)");
            Cli.Result tls = docker(d, List.of("--tls", "-H", "tcp://127.0.0.1:" + port), "version");
            assertThat(tls.exit()).as("a TLS client on the plain port: " + tls).isNotZero();
        }
    }

    @Test
    void theDaemonRefusesAKeyOpenToOthersAndAPlainListenerBeyondLoopbackNamingTheOption() throws Exception {
        TlsCertificates certs = TlsCertificates.make(Files.createDirectories(dir.resolve("certs")));
        Files.setPosixFilePermissions(certs.file("server-key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        Path config = Files.writeString(dir.resolve("open-key.toml"), """
                [docker]
                address = "%s"
                tcp = "127.0.0.1:%d"
                tls_cert = "%s"
                tls_key = "%s"
                """.formatted(dir.resolve("k.sock"), TlsCertificates.freePort(), certs.file("server-cert.pem"), certs.file("server-key.pem")));
        Cli.Result openKey = DaemonProcess.runExpectingExit(dir.resolve("root"), dir.resolve("state"), "--config", config.toString());
        assertThat(openKey.exit()).as(openKey.toString()).isNotZero();
        assertThat(openKey.out() + openKey.err()).contains("docker.tls_key = " + certs.file("server-key.pem") + " is open to group or others (mode rw-r--r--)")
                .contains("chmod 600");
        assertThat(dir.resolve("k.sock")).doesNotExist();

        Path plain = Files.writeString(dir.resolve("plain.toml"), """
                [docker]
                tcp = "0.0.0.0:%d"
                """.formatted(TlsCertificates.freePort()));
        Cli.Result beyond = DaemonProcess.runExpectingExit(dir.resolve("root2"), dir.resolve("state2"), "--config", plain.toString());
        assertThat(beyond.exit()).as(beyond.toString()).isNotZero();
        assertThat(beyond.out() + beyond.err()).contains("listens beyond loopback without TLS").contains("docker.tls_verify = true");
    }

    private static Cli.Result docker(DockerFixture d, List<String> global, String... args) {
        List<String> cmd = new ArrayList<>(List.of(DockerFixture.DOCKER));
        cmd.addAll(global);
        cmd.addAll(List.of(args));
        return Cli.run(cmd, d.env(), 120);
    }
}
