package io.jcontainerd.runtime.spec;


import java.math.BigInteger;

/** An rlimit; values are uint64 in the spec, so they are read as BigInteger (2^64-1 = RLIM_INFINITY). */
public record Rlimit(String type, BigInteger hard, BigInteger soft) {
    public long hardValue() { return hard == null ? -1 : hard.longValue(); }
    public long softValue() { return soft == null ? -1 : soft.longValue(); }
}
