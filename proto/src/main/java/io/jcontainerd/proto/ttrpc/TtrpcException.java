package io.jcontainerd.proto.ttrpc;

/**
 * A ttrpc call that got no answer because the connection could not be made, broke or was closed:
 * the peer is gone (or going). An answer the peer sent, error or not, is never this: the client
 * raises that as the {@link io.jcontainerd.config.errdefs.JcdException} its status code means.
 */
public final class TtrpcException extends RuntimeException {
    public TtrpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
