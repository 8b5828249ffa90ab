package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.util.Optional;

/**
 * The {@code ConsoleSize} [height, width] a client sends with a container's HostConfig or an exec (API
 * 1.42+; docker CLI 23+ sends it for {@code run -it}): the size the pty has when the process starts,
 * as dockerd puts it in the spec's {@code process.consoleSize} ("WithConsoleSize"), so a shell's first
 * prompt and a first {@code stty size} see the client's window instead of 0x0 until the resize that
 * the client sends after start arrives.
 */
public record ConsoleSize(int height, int width) {

    /**
     * The size in {@code node} (missing, null or [0, 0]: none, as dockerd). Anything else than two
     * integers from 0 to 65535 (a terminal's rows and columns are unsigned shorts) is a 400.
     */
    public static Optional<ConsoleSize> parse(String field, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Optional.empty();
        }
        if (!node.isArray() || node.size() != 2 || !rowsOrColumns(node.get(0)) || !rowsOrColumns(node.get(1))) {
            throw DockerApiException.badRequest("%s must be [height, width], two integers from 0 to 65535, not %s", field,
                    abbreviated(node.toString()));
        }
        int height = node.get(0).asInt(), width = node.get(1).asInt();
        return height > 0 || width > 0 ? Optional.of(new ConsoleSize(height, width)) : Optional.empty();
    }

    /** Sets {@code process.consoleSize} of an OCI process spec. */
    public void applyTo(ObjectNode process) {
        process.putObject("consoleSize").put("height", height).put("width", width);
    }

    private static boolean rowsOrColumns(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0 && n.asLong() <= 65535;
    }

    private static String abbreviated(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
