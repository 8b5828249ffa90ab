package io.jcontainerd.runtime;

/**
 * The one error type of jrunc. runtime-oci depends on nothing else of jcontainerd, so it carries its
 * own small vocabulary; the message always names the id, path or field that was wrong.
 */
public class JruncException extends RuntimeException {
    public enum Kind { NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, FAILED_PRECONDITION, SYSTEM }

    private final Kind kind;

    public JruncException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public JruncException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    public static JruncException notFound(String fmt, Object... args) { return new JruncException(Kind.NOT_FOUND, fmt.formatted(args)); }
    public static JruncException alreadyExists(String fmt, Object... args) { return new JruncException(Kind.ALREADY_EXISTS, fmt.formatted(args)); }
    public static JruncException invalidArgument(String fmt, Object... args) { return new JruncException(Kind.INVALID_ARGUMENT, fmt.formatted(args)); }
    public static JruncException failedPrecondition(String fmt, Object... args) { return new JruncException(Kind.FAILED_PRECONDITION, fmt.formatted(args)); }
    public static JruncException system(String fmt, Object... args) { return new JruncException(Kind.SYSTEM, fmt.formatted(args)); }
}
