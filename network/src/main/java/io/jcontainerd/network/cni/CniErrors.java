package io.jcontainerd.network.cni;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

/**
 * The CNI spec's well-known error codes (1-99 are the spec's, above are the plugin's) turned into
 * our error vocabulary, one place for all plugins.
 */
public final class CniErrors {
    private CniErrors() {
    }

    /** The errdefs kind of CNI error {@code code}. */
    public static ErrorKind kind(int code) {
        return switch (code) {
            case 1 -> ErrorKind.FAILED_PRECONDITION;   // incompatible CNI version
            case 2, 4, 6, 7 -> ErrorKind.INVALID_ARGUMENT; // unsupported field, invalid env, decoding, invalid config
            case 3 -> ErrorKind.NOT_FOUND;             // container unknown or does not exist
            case 5, 11 -> ErrorKind.UNAVAILABLE;       // I/O failure, try again later
            default -> ErrorKind.UNKNOWN;
        };
    }

    /** An error of plugin {@code type} for {@code command}, as the plugin reported it. */
    public static JcdException of(String type, CniCommand command, String subject, int code, String msg, String details) {
        StringBuilder sb = new StringBuilder();
        sb.append("CNI plugin ").append(type).append(' ').append(command).append(" for ").append(subject).append(" failed: ")
                .append(msg == null || msg.isBlank() ? "no message" : msg);
        if (details != null && !details.isBlank()) {
            sb.append(": ").append(details);
        }
        sb.append(" (CNI error code ").append(code).append(')');
        return JcdException.of(kind(code), sb.toString(), null);
    }
}
