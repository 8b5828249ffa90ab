package io.jcontainerd.ctr.client;

/**
 * A call sent on a {@link Connection} whose answer has not been taken yet, so that the caller can send another
 * meanwhile (HTTP/2 streams on one connection): run asks for its lease while it reads the image, and waits for its
 * task's exit while it starts it.
 */
public interface PendingCall<R> {
    /** The answer, once the call has ended; the StatusRuntimeException its blocking form would have thrown. */
    R await();
}
