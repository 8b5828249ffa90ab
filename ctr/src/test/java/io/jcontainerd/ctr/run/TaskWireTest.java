package io.jcontainerd.ctr.run;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Timestamp;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteTaskRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.tasks.v1.WaitResponse;
import io.jcontainerd.api.types.Mount;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The task calls' requests are the generated messages' bytes, and Wait's answer reads as the generated parser reads it. */
class TaskWireTest {
    @Test
    void createIsTheGeneratedRequestsBytes() {
        List<RootfsMount> rootfs = List.of(
                new RootfsMount("overlay", "overlay", "", List.of("index=off", "", "workdir=/w é", "upperdir=/u", "lowerdir=/l")),
                new RootfsMount("bind", "/s", "/t", List.of("rbind")), new RootfsMount("", "", "", List.of()));
        CreateTaskRequest.Builder generated = CreateTaskRequest.newBuilder().setContainerId("c1")
                .setStdin("/run/f/c1-stdin").setStdout("/run/f/c1-stdout").setStderr("/run/f/c1-stderr");
        rootfs.forEach(m -> generated.addRootfs(Mount.newBuilder().setType(m.type()).setSource(m.source()).setTarget(m.target())
                .addAllOptions(m.options())));
        assertThat(TaskWire.createRequest("c1", rootfs, new TaskWire.Stdio("/run/f/c1-stdin", "/run/f/c1-stdout", "/run/f/c1-stderr", false)))
                .isEqualTo(generated.build().toByteArray());
        assertThat(TaskWire.createRequest("c1", List.of(), new TaskWire.Stdio("/in", "/out", "", true)))
                .isEqualTo(CreateTaskRequest.newBuilder().setContainerId("c1").setStdin("/in").setStdout("/out").setTerminal(true)
                        .build().toByteArray());
    }

    @Test
    void theProcessCallsAreTheGeneratedRequestsBytes() {
        assertThat(TaskWire.processRequest("c1", "")).isEqualTo(StartRequest.newBuilder().setContainerId("c1").build().toByteArray())
                .isEqualTo(WaitRequest.newBuilder().setContainerId("c1").build().toByteArray())
                .isEqualTo(DeleteTaskRequest.newBuilder().setContainerId("c1").build().toByteArray());
        assertThat(TaskWire.processRequest("c1", "exec-1"))
                .isEqualTo(StartRequest.newBuilder().setContainerId("c1").setExecId("exec-1").build().toByteArray())
                .isEqualTo(WaitRequest.newBuilder().setContainerId("c1").setExecId("exec-1").build().toByteArray());
        for (int signal : new int[]{1, 2, 9, 15, 64}) {
            assertThat(TaskWire.killRequest("c1", "", signal))
                    .isEqualTo(KillRequest.newBuilder().setContainerId("c1").setSignal(signal).build().toByteArray());
        }
        assertThat(TaskWire.killRequest("c1", "e", 0)).isEqualTo(KillRequest.newBuilder().setContainerId("c1").setExecId("e").build().toByteArray());
        assertThat(TaskWire.resizeRequest("c1", "e", 200, 50))
                .isEqualTo(ResizePtyRequest.newBuilder().setContainerId("c1").setExecId("e").setWidth(200).setHeight(50).build().toByteArray());
    }

    @Test
    void waitsAnswerIsTheExitStatus() throws Exception {
        Timestamp at = Timestamp.newBuilder().setSeconds(1_765_000_000L).setNanos(7).build();
        for (int status : new int[]{0, 1, 3, 137, 255, -1}) {
            byte[] answer = WaitResponse.newBuilder().setExitStatus(status).setExitedAt(at).build().toByteArray();
            assertThat(TaskWire.readExitStatus(CodedInputStream.newInstance(answer))).isEqualTo(WaitResponse.parseFrom(answer).getExitStatus());
        }
        byte[] answer = WaitResponse.newBuilder().setExitStatus(3).setExitedAt(at).build().toByteArray();
        assertThatThrownBy(() -> TaskWire.readExitStatus(CodedInputStream.newInstance(Arrays.copyOf(answer, answer.length - 1))))
                .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
    }
}
