package com.sun.jna;

/**
 * Calls a JNA {@link Function} through JNA's native dispatch without {@code Function.invoke}'s Java code, which
 * looks its options up in a map, copies and converts every argument (a chain of instanceof checks) and boxes the
 * result: ~5 us of CPU per call in the init stage's JVM, which runs interpreted, against ~2 us for the dispatch
 * (and the syscall) itself; the init stage makes ~560 calls per container. In JNA's package because its
 * dispatch ({@code Native.invokeInt} and its siblings) is package-private: the signature is JNA 5's, pinned by the
 * parent pom (JnaSyscallsTest and every IT go through it).
 *
 * <p>Arguments must be what the dispatch takes as they are (what {@code Function.invoke} leaves unconverted):
 * boxed primitives, primitive arrays (copied in and back out), {@link Pointer}s, null. Not a String (a
 * NUL-terminated byte array instead) nor a String[] (a {@link StringArray}, kept reachable until the call returns).
 * The calling convention is the function's own: the same flags {@code Function.invoke} passes for a function
 * called without options and not through a varargs interface method.
 */
public final class JruncDirectCall {
    private JruncDirectCall() {}

    public static int invokeInt(Function f, Object[] args) {
        return Native.invokeInt(f, f.peer, f.getCallingConvention(), args);
    }

    public static long invokeLong(Function f, Object[] args) {
        return Native.invokeLong(f, f.peer, f.getCallingConvention(), args);
    }

    public static Pointer invokePointer(Function f, Object[] args) {
        long p = Native.invokePointer(f, f.peer, f.getCallingConvention(), args);
        return p == 0 ? null : new Pointer(p);
    }
}
