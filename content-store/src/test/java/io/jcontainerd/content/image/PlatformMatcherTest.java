package io.jcontainerd.content.image;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformMatcherTest {

    @Test
    void hostPlatformIsLinuxAmd64OnThisMachine() {
        assertThat(Platform.host().format()).isEqualTo("linux/amd64");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "linux/x86_64, linux/amd64",
            "linux/amd64, linux/amd64",
            "linux/aarch64, linux/arm64",
            "linux/arm64/v8, linux/arm64",
            "linux/arm, linux/arm/v7",
            "linux/armhf, linux/arm/v7",
            "linux/arm/6, linux/arm/v6",
            "arm64, linux/arm64",
            "LINUX/AMD64, linux/amd64",
            "linux/i386, linux/386",
    })
    void normalisesPlatformSpecs(String spec, String normal) {
        assertThat(Platform.parse(spec).format()).isEqualTo(normal);
    }

    @Test
    void refusesMalformedPlatforms() {
        assertThatThrownBy(() -> Platform.parse("linux//v7")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("linux//v7");
        assertThatThrownBy(() -> Platform.parse("a/b/c/d")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void amd64MatchesX86_64ButNotArm() {
        PlatformMatcher m = PlatformMatcher.of(Platform.parse("linux/amd64"));
        assertThat(m.matches(new Platform("linux", "x86_64", ""))).isTrue();
        assertThat(m.matches(new Platform("linux", "arm64", ""))).isFalse();
        assertThat(m.matches(new Platform("windows", "amd64", ""))).isFalse();
    }

    @Test
    void arm64MatchesV8VariantAndFallsBackToArmV7() {
        PlatformMatcher m = PlatformMatcher.of(Platform.parse("linux/arm64"));
        assertThat(m.matches(new Platform("linux", "arm64", "v8"))).isTrue();
        assertThat(m.matches(new Platform("linux", "arm", "v7"))).isTrue();
        List<Platform> index = List.of(new Platform("linux", "arm", "v7"), new Platform("linux", "arm64", "v8"),
                new Platform("linux", "amd64", ""));
        assertThat(m.best(index)).isEqualTo(1);
    }

    @Test
    void armV7DoesNotRunV8ButRunsV6() {
        PlatformMatcher m = PlatformMatcher.of(Platform.parse("linux/arm/v7"));
        assertThat(m.matches(new Platform("linux", "arm", "v6"))).isTrue();
        assertThat(m.matches(new Platform("linux", "arm", "v8"))).isFalse();
    }

    @Test
    void picksTheHostEntryOfAnIndex() {
        List<Platform> index = List.of(new Platform("linux", "arm64", "v8"), new Platform("linux", "amd64", ""));
        assertThat(PlatformMatcher.host().best(index)).isEqualTo(1);
        assertThat(PlatformMatcher.of(Platform.parse("linux/s390x")).best(index)).isEqualTo(-1);
    }
}
