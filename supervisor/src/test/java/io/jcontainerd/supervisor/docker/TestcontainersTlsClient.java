package io.jcontainerd.supervisor.docker;

import com.github.dockerjava.api.DockerClient;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.dockerclient.EnvironmentAndSystemPropertyClientProviderStrategy;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;

/**
 * testcontainers-java as a user's test JVM runs it, configured only by its environment (DOCKER_HOST,
 * DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): TestcontainersTlsIT starts it as a process of its own, since
 * testcontainers picks its Docker environment once per JVM. Prints one {@code key=value} line per fact.
 * <ul>
 * <li>{@code lifecycle}: a busybox container started with a log-line wait, an exec in it, stopped.</li>
 * <li>{@code ping}: the environment's client (DOCKER_HOST only, no other strategy to fall back to) pings once.</li>
 * </ul>
 */
public final class TestcontainersTlsClient {
    private TestcontainersTlsClient() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 1 ? args[0] : "") {
            case "lifecycle" -> lifecycle();
            case "ping" -> ping();
            default -> throw new IllegalArgumentException("usage: TestcontainersTlsClient lifecycle|ping");
        }
    }

    private static void lifecycle() throws Exception {
        System.out.println("dockerHost=" + DockerClientFactory.instance().getTransportConfig().getDockerHost());
        System.out.println("tls=" + (DockerClientFactory.instance().getTransportConfig().getSslConfig() != null));
        try (GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("busybox:latest"))
                .withCommand("sh", "-c", "echo ready; sleep 1000")
                .waitingFor(Wait.forLogMessage("ready\\n", 1).withStartupTimeout(Duration.ofSeconds(120)))) {
            c.start();
            System.out.println("started=" + c.getContainerId());
            System.out.println("running=" + c.isRunning());
            Container.ExecResult r = c.execInContainer("sh", "-c", "echo out; echo err >&2; exit 3");
            System.out.println("execExit=" + r.getExitCode());
            System.out.println("execStdout=" + r.getStdout().strip());
            System.out.println("execStderr=" + r.getStderr().strip());
            System.out.println("logs=" + c.getLogs().strip());
            c.stop();
            System.out.println("stopped=" + !c.isRunning());
        }
    }

    private static void ping() {
        EnvironmentAndSystemPropertyClientProviderStrategy env = new EnvironmentAndSystemPropertyClientProviderStrategy();
        System.out.println("dockerHost=" + env.getTransportConfig().getDockerHost());
        try (DockerClient client = env.getDockerClient()) {
            client.pingCmd().exec();
            System.out.println("ping=answered");
        } catch (Exception e) {
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t.getClass().getName()).append(": ").append(t.getMessage()).append(" | ");
            }
            System.out.println("ping=refused " + chain);
        }
    }
}
