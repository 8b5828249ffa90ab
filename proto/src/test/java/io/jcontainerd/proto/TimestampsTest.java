package io.jcontainerd.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.jcontainerd.api.types.task.Process;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void goZeroTimeIsUnset() {
        Timestamp goZero = Timestamp.newBuilder().setSeconds(-62135596800L).build();

        assertThat(Timestamps.toInstant(goZero)).isEmpty();
        assertThat(Instant.ofEpochSecond(Timestamps.GO_ZERO_SECONDS)).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    }

    @Test
    void absentFieldIsUnset() {
        Process running = Process.newBuilder().setPid(42).build();

        assertThat(running.hasExitedAt()).isFalse();
        assertThat(Timestamps.toInstant(running.getExitedAt())).isEmpty();
        assertThat(Timestamps.toInstant(null)).isEmpty();
    }

    @Test
    void realTimesRoundTripToTheNanosecond() {
        Instant when = Instant.parse("2024-05-06T07:08:09.123456789Z");

        Timestamp proto = Timestamps.toTimestamp(when);

        assertThat(proto.getSeconds()).isEqualTo(when.getEpochSecond());
        assertThat(proto.getNanos()).isEqualTo(123456789);
        assertThat(Timestamps.toInstant(proto)).contains(when);
    }

    @Test
    void goZeroPlusNanosAndTimesBeforeTheEpochAreReal() {
        Timestamp justAfterGoZero = Timestamp.newBuilder().setSeconds(-62135596800L).setNanos(1).build();
        Timestamp before1970 = Timestamp.newBuilder().setSeconds(-86400).build();

        assertThat(Timestamps.toInstant(justAfterGoZero)).isPresent();
        assertThat(Timestamps.toInstant(before1970)).contains(Instant.parse("1969-12-31T00:00:00Z"));
    }

    @Test
    void unknownTimesAreOmittedFromResponses() {
        Process.Builder stillRunning = Process.newBuilder();
        Timestamps.setIfKnown(null, stillRunning::setExitedAt);
        Process.Builder exited = Process.newBuilder();
        Timestamps.setIfKnown(Instant.parse("2024-01-01T00:00:00Z"), exited::setExitedAt);

        assertThat(stillRunning.build().hasExitedAt()).isFalse();
        assertThat(exited.build().getExitedAt().getSeconds()).isEqualTo(1704067200L);
    }
}
