package io.jcontainerd.supervisor.docker.http;

/**
 * An error answered in Docker's shape, {@code {"message": ...}}, with the status code dockerd
 * uses for it (400 bad request, 404 no such object, 409 conflict, 500 anything else).
 */
public final class DockerApiException extends RuntimeException {
    private final int status;

    public DockerApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static DockerApiException badRequest(String format, Object... args) {
        return new DockerApiException(400, String.format(format, args));
    }

    public static DockerApiException notFound(String format, Object... args) {
        return new DockerApiException(404, String.format(format, args));
    }

    public static DockerApiException conflict(String format, Object... args) {
        return new DockerApiException(409, String.format(format, args));
    }

    /** 413: a request body past a limit (the message names the limit and the setting that raises it). */
    public static DockerApiException tooLarge(String format, Object... args) {
        return new DockerApiException(413, String.format(format, args));
    }

    public static DockerApiException notModified() {
        return new DockerApiException(304, "");
    }

    public static DockerApiException internal(String format, Object... args) {
        return new DockerApiException(500, String.format(format, args));
    }
}
