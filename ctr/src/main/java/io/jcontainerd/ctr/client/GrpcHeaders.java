package io.jcontainerd.ctr.client;

import java.util.ArrayList;
import java.util.List;

/** The header block that opens a gRPC call (the gRPC-over-HTTP/2 wire format), as {@link GrpcCall} and {@link UnaryCall} send it. */
final class GrpcHeaders {
    /** What jctr names as the HTTP/2 authority: the daemon is on a unix socket. */
    static final String AUTHORITY = "localhost";

    private GrpcHeaders() {
    }

    /**
     * The request's pseudo-headers and gRPC headers for {@code fullMethodName}, with {@code grpc-timeout} for
     * {@code timeoutNanos} (at least 1 ns) when the call has a {@code deadline}; the caller adds its metadata after them.
     */
    static List<Hpack.Field> request(String fullMethodName, boolean deadline, long timeoutNanos) {
        List<Hpack.Field> fields = new ArrayList<>(10);
        fields.add(new Hpack.Field(":method", "POST"));
        fields.add(new Hpack.Field(":scheme", "http"));
        fields.add(new Hpack.Field(":path", "/" + fullMethodName));
        fields.add(new Hpack.Field(":authority", AUTHORITY));
        fields.add(new Hpack.Field("content-type", "application/grpc"));
        fields.add(new Hpack.Field("te", "trailers"));
        fields.add(new Hpack.Field("user-agent", "jctr"));
        if (deadline) {
            fields.add(new Hpack.Field("grpc-timeout", timeout(Math.max(1, timeoutNanos))));
        }
        return fields;
    }

    /** gRPC's timeout header: at most 8 digits, in the finest unit that fits. */
    static String timeout(long nanos) {
        long[] scale = {1, 1_000, 1_000_000, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};
        String units = "numSMH";
        for (int i = 0; i < scale.length; i++) {
            long v = nanos / scale[i];
            if (v < 100_000_000L) {
                return v + units.substring(i, i + 1);
            }
        }
        return "99999999H";
    }
}
