package io.jcontainerd.content.pull;

/** Where one blob of a pull stands, as ctr's progress lines show it. */
public enum PullPhase {
    /** The reference is being turned into a root digest. */
    RESOLVING,
    /** The root descriptor is known. */
    RESOLVED,
    /** Queued behind the concurrency limit. */
    WAITING,
    /** Bytes are arriving; offset/total say how many. */
    DOWNLOADING,
    /** Verified and committed by this pull. */
    DONE,
    /** Already in the content store: nothing downloaded. */
    EXISTS,
    /** This blob failed; the pull fails with the error. */
    FAILED
}
