package io.jcontainerd.ctr.run;

import com.google.protobuf.CodedInputStream;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.PendingCall;
import io.jcontainerd.ctr.commands.WireCall;
import io.jcontainerd.ctr.commands.WireMessage;

import java.io.IOException;
import java.util.List;

/**
 * The Tasks calls of {@code run} and of the commands that attach to a process (Create, Start, Wait, Kill, ResizePty,
 * Delete), written and read on the wire on {@link Connection}'s own call path, as {@link RunWire}'s: no generated
 * message, no io.grpc call (README "Performance", session 13). TaskWireTest holds these bytes to the generated
 * messages'.
 */
public final class TaskWire {
    private static final String TASKS = TasksGrpc.SERVICE_NAME;

    private TaskWire() {
    }

    /** The stdio a task is created with: FIFO paths (stderr empty with a terminal). */
    public record Stdio(String stdin, String stdout, String stderr, boolean terminal) {
    }

    /** Tasks/Create; the answer (its pid) is read past. */
    static void create(Connection connection, String id, List<RootfsMount> rootfs, Stdio stdio) {
        WireCall.call(connection, TASKS, "Create", createRequest(id, rootfs, stdio), WireCall::skip);
    }

    /** Tasks/Start of the task's init ({@code execId} empty) or an exec; the answer (the pid) is read past. */
    static void start(Connection connection, String id, String execId) {
        WireCall.call(connection, TASKS, "Start", processRequest(id, execId), WireCall::skip);
    }

    /** Tasks/Wait, sent without waiting for the exit; its answer is the exit status. */
    static PendingCall<Integer> startWait(Connection connection, String id, String execId) {
        return WireCall.start(connection, TASKS, "Wait", List.of(), processRequest(id, execId), TaskWire::readExitStatus);
    }

    /** Tasks/Kill of one process (all = false). */
    static void kill(Connection connection, String id, String execId, int signal) {
        WireCall.call(connection, TASKS, "Kill", killRequest(id, execId, signal), WireCall::skip);
    }

    /** Tasks/ResizePty. */
    static void resizePty(Connection connection, String id, String execId, int width, int height) {
        WireCall.call(connection, TASKS, "ResizePty", resizeRequest(id, execId, width, height), WireCall::skip);
    }

    /** Tasks/Delete of the task (tasks.v1.DeleteTaskRequest: 1 = container_id); the answer is read past. */
    static void delete(Connection connection, String id) {
        WireCall.call(connection, TASKS, "Delete", processRequest(id, ""), WireCall::skip);
    }

    /**
     * tasks.v1.CreateTaskRequest: 1 = container_id, 3 = rootfs (repeated Mount: 1 = type, 2 = source, 3 = target,
     * 4 = options), 4 = stdin, 5 = stdout, 6 = stderr, 7 = terminal.
     */
    static byte[] createRequest(String id, List<RootfsMount> rootfs, Stdio stdio) {
        WireMessage m = new WireMessage().string(1, id);
        for (RootfsMount mount : rootfs) {
            WireMessage mm = new WireMessage().string(1, mount.type()).string(2, mount.source()).string(3, mount.target());
            mount.options().forEach(o -> mm.stringAlways(4, o));
            m.message(3, mm);
        }
        return m.string(4, stdio.stdin()).string(5, stdio.stdout()).string(6, stdio.stderr()).bool(7, stdio.terminal())
                .toByteArray();
    }

    /** StartRequest and WaitRequest: 1 = container_id, 2 = exec_id; with no exec, DeleteTaskRequest (1 = container_id). */
    static byte[] processRequest(String id, String execId) {
        return new WireMessage().string(1, id).string(2, execId).toByteArray();
    }

    /** KillRequest: 1 = container_id, 2 = exec_id, 3 = signal (4 = all: false). */
    static byte[] killRequest(String id, String execId, int signal) {
        return new WireMessage().string(1, id).string(2, execId).uint32(3, signal).toByteArray();
    }

    /** ResizePtyRequest: 1 = container_id, 2 = exec_id, 3 = width, 4 = height. */
    static byte[] resizeRequest(String id, String execId, int width, int height) {
        return new WireMessage().string(1, id).string(2, execId).uint32(3, width).uint32(4, height).toByteArray();
    }

    /** tasks.v1.WaitResponse: 1 = exit_status (uint32), 2 = exited_at. */
    static Integer readExitStatus(CodedInputStream in) throws IOException {
        int status = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == (1 << 3)) {
                status = in.readUInt32();
            } else {
                in.skipField(tag);
            }
        }
        return status;
    }
}
