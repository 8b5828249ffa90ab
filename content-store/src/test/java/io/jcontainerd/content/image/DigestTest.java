package io.jcontainerd.content.image;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DigestTest {

    @Test
    void parsesSha256AndPrintsItBack() {
        String s = "sha256:" + "0123456789abcdef".repeat(4);
        Digest d = Digest.parse(s);
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.hex()).hasSize(64);
        assertThat(d.toString()).isEqualTo(s);
        assertThat(d.shortHex()).isEqualTo("0123456789ab");
    }

    @Test
    void computesTheSha256OfContent() {
        assertThat(Digest.of("hello\n".getBytes(StandardCharsets.UTF_8)).toString())
                .isEqualTo("sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256", "sha256:", "sha256:abc", ":abc", "abc",
            "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
            "md5:0123456789abcdef0123456789abcdef"})
    void refusesMalformedDigestsQuotingThem(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("digest")
                .hasMessageContaining(text.contains(":") ? text.substring(0, text.indexOf(':')) : text);
    }

    @Test
    void refusesEmpty() {
        assertThatThrownBy(() -> Digest.parse("")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("sha256:<64 hex characters>");
    }
}
