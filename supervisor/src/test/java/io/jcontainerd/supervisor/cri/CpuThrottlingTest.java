package io.jcontainerd.supervisor.cri;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CpuThrottlingTest {

    @Test
    void readsCgroupV1sCpuStatThrottledTimeInNanoseconds() {
        assertThat(CpuThrottling.of(Map.of("nr_periods", 120L, "nr_throttled", 90L, "throttled_time", 8_500_000_000L), false))
                .isEqualTo(new CpuThrottling(120, 90, 8_500_000_000L));
    }

    @Test
    void readsCgroupV2sCpuStatThrottledTimeInMicroseconds() {
        assertThat(CpuThrottling.of(Map.of("usage_usec", 5L, "nr_periods", 7L, "nr_throttled", 3L, "throttled_usec", 2_000_000L), true))
                .isEqualTo(new CpuThrottling(7, 3, 2_000_000_000L));
    }

    @Test
    void aCgroupWithoutQuotaHasNoPeriods() {
        assertThat(CpuThrottling.of(Map.of("usage_usec", 5L), true)).isEqualTo(new CpuThrottling(0, 0, 0));
    }
}
