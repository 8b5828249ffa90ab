package io.jcontainerd.ctr.client;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How jctr reads a call's end from the wire: trailers, resets, and the daemon's reset at the deadline it was sent. */
class WireStatusTest {
    @Test
    void aCancelFromTheDaemonAfterTheDeadlineIsDeadlineExceededAsGrpcJavaReportsIt() {
        assertEquals(Status.Code.DEADLINE_EXCEEDED, WireStatus.ofReset(Http2Connection.CANCEL, true).toStatus().getCode());
        assertEquals(Status.Code.CANCELLED, WireStatus.ofReset(Http2Connection.CANCEL, false).toStatus().getCode());
        assertEquals(Status.Code.UNAVAILABLE, WireStatus.ofReset(7, true).toStatus().getCode());
        assertEquals("the daemon reset the stream (HTTP/2 error 2)", WireStatus.ofReset(2, false).toStatus().getDescription());
    }

    @Test
    void trailersGiveTheCodeAndTheDecodedMessageOrSayWhatIsWrong() {
        Status s = WireStatus.ofTrailers(List.of(new Hpack.Field("grpc-status", "5"), new Hpack.Field("grpc-message", "no %C3%A9 here"))).toStatus();
        assertEquals(Status.Code.NOT_FOUND, s.getCode());
        assertEquals("no é here", s.getDescription());
        assertEquals(Status.UNKNOWN.withDescription("Unknown code 99").toString(),
                WireStatus.ofTrailers(List.of(new Hpack.Field("grpc-status", "99"))).toStatus().toString());
        assertEquals("grpc-status 'x' is not a number", WireStatus.ofTrailers(List.of(new Hpack.Field("grpc-status", "x"))).toStatus().getDescription());
        assertEquals("the daemon's answer has no grpc-status", WireStatus.ofTrailers(List.of()).toStatus().getDescription());
    }
}
