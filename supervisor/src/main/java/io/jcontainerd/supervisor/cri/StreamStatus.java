package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The metav1.Status JSON kubelet's remotecommand server writes on the error channel (3) when a
 * stream ends: {@code {"metadata":{},"status":"Success"}}, or a Failure with reason
 * {@code NonZeroExitCode} whose cause (reason {@code ExitCode}) carries the exit code, which is
 * what kubectl exits with.
 */
final class StreamStatus {
    private StreamStatus() {
    }

    static String success() {
        ObjectNode s = base();
        s.put("status", "Success");
        return s.toString();
    }

    static String exitCode(int code) {
        ObjectNode s = base();
        s.put("status", "Failure").put("message", "command terminated with non-zero exit code: exit status " + code)
                .put("reason", "NonZeroExitCode");
        s.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(code));
        return s.toString();
    }

    static String failure(String message) {
        ObjectNode s = base();
        s.put("status", "Failure").put("message", message).put("reason", "InternalError");
        s.putObject("details").putArray("causes").addObject().put("message", message);
        s.put("code", 500);
        return s.toString();
    }

    private static ObjectNode base() {
        ObjectNode s = PodSpecs.JSON.createObjectNode();
        s.putObject("metadata");
        return s;
    }
}
