package io.jcontainerd.config.errdefs;

/**
 * The closed set of error classes every module speaks, as containerd's errdefs does.
 * Each maps to exactly one gRPC status code (see proto's GrpcErrors) and back.
 */
public enum ErrorKind {
    INVALID_ARGUMENT("invalid argument"),
    NOT_FOUND("not found"),
    ALREADY_EXISTS("already exists"),
    FAILED_PRECONDITION("failed precondition"),
    UNAVAILABLE("unavailable"),
    NOT_IMPLEMENTED("not implemented"),
    CANCELLED("cancelled"),
    DEADLINE_EXCEEDED("deadline exceeded"),
    UNKNOWN("unknown");

    private final String words;

    ErrorKind(String words) {
        this.words = words;
    }

    /** The lower-case words containerd appends to a message ("...: not found"). */
    public String words() {
        return words;
    }
}
