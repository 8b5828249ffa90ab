package io.jcontainerd.supervisor.docker;

import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.ListPodSandboxRequest;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.PodSandboxStatusRequest;
import io.jcontainerd.api.cri.v1.RemovePodSandboxRequest;
import io.jcontainerd.api.cri.v1.RunPodSandboxRequest;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.TestCgroups;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon owns one network manager and hands it to the Docker facade and CRI: Docker containers
 * and CRI pods on the default bridge network, created in turn, get addresses from the same IPAM
 * (never the same one), and the manager is opened once (its log line).
 */
class DockerAndCriShareOneNetworkIT {
    @TempDir
    Path dir;

    @Test
    void dockerContainersAndCriPodsOnTheBridgeGetDistinctAddressesFromOneNetworkManager() throws Exception {
        try (DockerFixture d = new DockerFixture(dir); UnixGrpcChannel channel = new UnixGrpcChannel(d.daemon.socket())) {
            RuntimeServiceGrpc.RuntimeServiceBlockingStub cri = RuntimeServiceGrpc.newBlockingStub(channel.raw());
            // the pods' cgroup parent, as kubelet gives one: the test's own, not the shared /k8s.io
            String cgroupParent = TestCgroups.uniqueParent("dockercri");
            try {
                d.pullBusybox();
                String prefix = d.network.subnet().substring(0, d.network.subnet().lastIndexOf('.') + 1);
                List<String> addresses = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Cli.Result run = d.docker("run", "-d", "--name", "shared-net-" + i, "busybox", "sleep", "600");
                    assertThat(run.exit()).as(run + "\n" + d.daemon.log()).isZero();
                    String ip = d.docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "shared-net-" + i).out().strip();
                    addresses.add(ip);
                    String pod = cri.withDeadlineAfter(120, TimeUnit.SECONDS).runPodSandbox(RunPodSandboxRequest.newBuilder()
                            .setConfig(PodSandboxConfig.newBuilder().setHostname("pod" + i)
                                    .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))
                                    .setMetadata(PodSandboxMetadata.newBuilder().setName("shared-" + i).setUid("uid-shared-" + i).setNamespace("default")))
                            .build()).getPodSandboxId();
                    addresses.add(cri.podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build())
                            .getStatus().getNetwork().getIp());
                }

                assertThat(addresses).as("docker, pod, docker, pod").hasSize(4).allMatch(a -> a.startsWith(prefix)).doesNotHaveDuplicates();
                // docker network inspect lists the facade's own containers (the pods live in namespace k8s.io)
                String inBridge = d.docker("network", "inspect", "--format", "{{range .Containers}}{{.IPv4Address}} {{end}}", "bridge").out();
                assertThat(inBridge).as("docker network inspect bridge").contains(addresses.get(0) + "/", addresses.get(2) + "/")
                        .doesNotContain(addresses.get(1) + "/", addresses.get(3) + "/");
                assertThat(d.daemon.log().lines().filter(l -> l.contains("network manager opened")).count())
                        .as("one network manager for the daemon:\n" + d.daemon.log()).isEqualTo(1);
            } finally {
                for (var s : cri.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
                    cri.withDeadlineAfter(60, TimeUnit.SECONDS).removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(s.getId()).build());
                }
                assertThat(TestCgroups.remove(cgroupParent)).as("cgroups left under " + cgroupParent).isEmpty();
            }
        }
    }
}
