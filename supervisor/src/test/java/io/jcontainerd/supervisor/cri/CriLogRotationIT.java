package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerMetadata;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.LinuxContainerConfig;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.api.cri.v1.LinuxSandboxSecurityContext;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.NamespaceOption;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxMetadata;
import io.jcontainerd.api.cri.v1.ReopenContainerLogRequest;
import io.jcontainerd.api.cri.v1.StopContainerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Log rotation as kubelet does it: rename the container's log file, then ReopenContainerLog; the
 * container keeps writing numbered lines all along, and the two files hold every line once, in order.
 */
class CriLogRotationIT {
    static CriNode node;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("crilog");
        image = node.pull("busybox");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static List<Long> numbers(Path log) {
        List<Long> out = new ArrayList<>();
        try {
            if (!Files.exists(log)) {
                return out;
            }
            for (String l : Files.readAllLines(log)) {
                assertThat(l).matches("\\S+ stdout F line-\\d+");
                out.add(Long.parseLong(l.substring(l.lastIndexOf('-') + 1)));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** The highest line number logged (a line cut by the daemon's stop may be in two parts: skipped). */
    static long lastNumber(Path log) {
        try {
            if (!Files.exists(log)) {
                return 0;
            }
            long max = 0;
            for (String l : Files.readAllLines(log)) {
                var m = java.util.regex.Pattern.compile("^\\S+ stdout F line-(\\d+)$").matcher(l);
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
            return max;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDaemonRestartReattachesTheLogCopyOfARunningContainerSoItsWritesDoNotBlock() throws Exception {
        Path logs = Files.createDirectories(node.dir.resolve("logs/default_restart_uid-restart"));
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("restart").setUid("uid-restart").setNamespace("default"))
                .setLogDirectory(logs.toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(node.cgroupParent).setSecurityContext(LinuxSandboxSecurityContext.newBuilder()))
                .build();
        String pod = node.runPod(podConfig);
        Files.createDirectories(logs.resolve("chatter"));
        String c = node.run(pod, podConfig, ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("chatter"))
                .setImage(ImageSpec.newBuilder().setImage(image)).setLogPath("chatter/0.log")
                .addAllCommand(List.of("sh", "-c", "i=0; while true; do i=$((i+1)); echo line-$i; usleep 100; done"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build());
        Path log = logs.resolve("chatter/0.log");
        node.await("lines in " + log, () -> lastNumber(log), n -> n >= 50);

        node.restart();
        long before = lastNumber(log);

        // "line-N\n" is at most 13 bytes: 8000 more lines are more than the FIFO's 64 KiB could hold unread
        node.await("lines beyond " + (before + 8000) + " in " + log + " after the restart", () -> lastNumber(log),
                n -> n > before + 8000);
        assertThat(node.status(c).getState()).isEqualTo(ContainerState.CONTAINER_RUNNING);
        node.removePod(pod);
    }

    @Test
    void aLogRenamedThenReopenedLosesNoLine() throws Exception {
        Path logs = Files.createDirectories(node.dir.resolve("logs/default_rot_uid-rot"));
        PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("rot").setUid("uid-rot").setNamespace("default"))
                .setLogDirectory(logs.toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(node.cgroupParent).setSecurityContext(LinuxSandboxSecurityContext.newBuilder()))
                .build();
        String pod = node.runPod(podConfig);
        Files.createDirectories(logs.resolve("talker"));
        String c = node.run(pod, podConfig, ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("talker"))
                .setImage(ImageSpec.newBuilder().setImage(image)).setLogPath("talker/0.log")
                .addAllCommand(List.of("sh", "-c", "i=0; while true; do i=$((i+1)); echo line-$i; usleep 2000; done"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build());
        Path log = logs.resolve("talker/0.log");
        Path rotated = logs.resolve("talker/0.log.20261206-000000");
        node.await("lines in " + log, () -> numbers(log), n -> n.size() >= 50);

        Files.move(log, rotated);
        node.runtime.reopenContainerLog(ReopenContainerLogRequest.newBuilder().setContainerId(c).build());
        node.await("lines in the reopened " + log, () -> numbers(log), n -> n.size() >= 50);
        node.runtime.stopContainer(StopContainerRequest.newBuilder().setContainerId(c).setTimeout(0).build());

        List<Long> before = numbers(rotated);
        List<Long> after = numbers(log);
        assertThat(before).isNotEmpty();
        assertThat(after.getFirst()).as("first line of the new file").isEqualTo(before.getLast() + 1);
        List<Long> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(all).containsExactlyElementsOf(LongStream.rangeClosed(1, all.size()).boxed().toList());

        assertThat(node.status(c).getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
        assertThatThrownBy(() -> node.runtime.reopenContainerLog(ReopenContainerLogRequest.newBuilder().setContainerId(c).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("is not running");
                });
    }
}
