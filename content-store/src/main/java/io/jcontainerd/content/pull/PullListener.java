package io.jcontainerd.content.pull;

/**
 * Receives progress events. Called from download threads, concurrently, often (once per chunk):
 * keep it cheap and thread-safe, and throttle display on the receiving side.
 */
@FunctionalInterface
public interface PullListener {

    PullListener NONE = p -> { };

    void onProgress(PullProgress progress);
}
