package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;

/**
 * A document {@link Json} refused: malformed, nested deeper than {@value Json#MAX_DEPTH} or too large.
 * The message says what was wrong and where (line and column).
 */
public final class JsonSyntaxException extends JruncException {
    public JsonSyntaxException(String message) {
        super(Kind.INVALID_ARGUMENT, message);
    }
}
