package io.jcontainerd.ctr.run;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UtcSecondsTest {
    @Test
    void writesEverySecondAsInstantToStringDoes() {
        long last = 253_402_300_799L; // 9999-12-31T23:59:59Z
        for (long s : new long[]{0, 59, 60, 86_399, 86_400, 951_782_400L /* 2000-02-29 */, 951_868_799L, 4_107_542_400L /* 2100-03-01 */,
                1_796_617_178L, last}) {
            assertThat(UtcSeconds.format(s)).as("%d", s).isEqualTo(Instant.ofEpochSecond(s).toString());
        }
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            long s = random.nextLong(last + 1);
            assertThat(UtcSeconds.format(s)).as("%d", s).isEqualTo(Instant.ofEpochSecond(s).toString());
        }
        for (long day = 0; day < 200 * 366; day++) { // every day of 1970-2169, leap days and century years included
            long s = day * 86_400 + 3_723;
            assertThat(UtcSeconds.format(s)).as("%d", s).isEqualTo(Instant.ofEpochSecond(s).toString());
        }
    }

    @Test
    void refusesTimesOutsideTheYearsItWrites() {
        assertThatThrownBy(() -> UtcSeconds.format(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UtcSeconds.format(253_402_300_800L)).isInstanceOf(IllegalArgumentException.class);
    }
}
