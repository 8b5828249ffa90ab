package io.jcontainerd.content.image;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageReferenceTest {

    private static final String D = "sha256:" + "a".repeat(64);

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            busybox                                  | docker.io/library/busybox:latest
            busybox:1.36                             | docker.io/library/busybox:1.36
            library/busybox                          | docker.io/library/busybox:latest
            docker.io/busybox                        | docker.io/library/busybox:latest
            docker.io/library/busybox:latest         | docker.io/library/busybox:latest
            index.docker.io/library/busybox          | docker.io/library/busybox:latest
            user/app                                 | docker.io/user/app:latest
            user/app/sub:v1                          | docker.io/user/app/sub:v1
            localhost/app                            | localhost/app:latest
            localhost:5000/app:dev                   | localhost:5000/app:dev
            127.0.0.1:5000/a/b:tag                   | 127.0.0.1:5000/a/b:tag
            host:5000/a/b:tag                        | host:5000/a/b:tag
            registry.example.com/team/app            | registry.example.com/team/app:latest
            Registry.Example.com/team/app:1          | Registry.Example.com/team/app:1
            [::1]:5000/app:x                         | [::1]:5000/app:x
            ghcr.io/a-b/c_d.e__f:V1.2-rc_3           | ghcr.io/a-b/c_d.e__f:V1.2-rc_3
            a---b/c                                  | docker.io/a---b/c:latest
            """)
    void normalisesLikeDocker(String input, String expected) {
        assertThat(ImageReference.parse(input).toString()).isEqualTo(expected);
    }

    @Test
    void keepsDigestAndDropsDefaultTagWhenOnlyADigestIsGiven() {
        ImageReference r = ImageReference.parse("busybox@" + D);
        assertThat(r.toString()).isEqualTo("docker.io/library/busybox@" + D);
        assertThat(r.findTag()).isEmpty();
        assertThat(r.object()).isEqualTo(D);
    }

    @Test
    void keepsTagAndDigestTogetherAndAsksForTheDigest() {
        ImageReference r = ImageReference.parse("host:5000/a/b:v1@" + D);
        assertThat(r.domain()).isEqualTo("host:5000");
        assertThat(r.path()).isEqualTo("a/b");
        assertThat(r.tag()).isEqualTo("v1");
        assertThat(r.digest()).isEqualTo(Digest.parse(D));
        assertThat(r.object()).isEqualTo(D);
    }

    @Test
    void splitsDomainPathAndTag() {
        ImageReference r = ImageReference.parse("busybox");
        assertThat(r.domain()).isEqualTo("docker.io");
        assertThat(r.path()).isEqualTo("library/busybox");
        assertThat(r.name()).isEqualTo("docker.io/library/busybox");
        assertThat(r.object()).isEqualTo("latest");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            docker.io/library/busybox:latest | busybox:latest
            docker.io/user/app:v1            | user/app:v1
            localhost:5000/app:dev           | localhost:5000/app:dev
            """)
    void printsTheFamiliarForm(String input, String familiar) {
        assertThat(ImageReference.parse(input).familiar()).isEqualTo(familiar);
    }

    @ParameterizedTest(name = "refuses \"{0}\" ({1})")
    @CsvSource(delimiter = '|', textBlock = """
            Busybox                      | lowercase
            docker.io/Library/busybox    | lowercase
            host:5000/A/b                | lowercase
            busybox:                     | tag
            busybox:-x                   | tag
            busybox:.x                   | tag
            busybox@sha256:abc           | digest
            busybox@md5:0123456789abcdef0123456789abcdef | digest
            :tag                         | empty
            /busybox                     | repository
            busybox/                     | repository
            a//b                         | repository
            -a/b                         | repository
            a_/b                         | repository
            a..b/c                       | registry host
            a/b..c                       | repository
            host:port/a                  | registry host
            -host.com/a                  | registry host
            bus box                      | whitespace
            aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | image id
            """)
    void refusesMalformedReferencesQuotingThem(String input, String why) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("\"" + input + "\"")
                .hasMessageContaining(why);
    }

    @Test
    void refusesEmptyAndOverlongNames() {
        assertThatThrownBy(() -> ImageReference.parse("")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ImageReference.parse("a/" + "b".repeat(260)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("longer than 255");
    }

    @Test
    void refusesTagsLongerThan128Characters() {
        assertThat(ImageReference.parse("a:" + "t".repeat(128)).tag()).hasSize(128);
        assertThatThrownBy(() -> ImageReference.parse("a:" + "t".repeat(129))).isInstanceOf(InvalidArgumentException.class);
    }
}
