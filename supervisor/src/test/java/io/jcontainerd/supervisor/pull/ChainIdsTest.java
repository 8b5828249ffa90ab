package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.image.Digest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChainIdsTest {
    private static final Digest A = Digest.parse("sha256:" + "a".repeat(64));
    private static final Digest B = Digest.parse("sha256:" + "b".repeat(64));
    private static final Digest C = Digest.parse("sha256:" + "c".repeat(64));

    @Test
    void theBottomLayersChainIdIsItsDiffId() {
        assertThat(ChainIds.of(List.of(A))).containsExactly(A);
    }

    @Test
    void eachHigherChainIdHashesTheChainBelowASpaceAndTheDiffId() {
        Digest ab = Digest.of(("sha256:" + "a".repeat(64) + " sha256:" + "b".repeat(64)).getBytes(StandardCharsets.UTF_8));
        Digest abc = Digest.of((ab + " " + C).getBytes(StandardCharsets.UTF_8));
        assertThat(ChainIds.of(List.of(A, B, C))).containsExactly(A, ab, abc);
    }

    @Test
    void anImageWithoutLayersHasNoChain() {
        assertThat(ChainIds.of(List.of())).isEmpty();
    }

    @Test
    void unpackKeysAreUniqueAndNameTheChainTheyBecome() {
        String one = Unpacker.prepareKey(A.toString());
        String two = Unpacker.prepareKey(A.toString());
        assertThat(one).startsWith("extract-").endsWith(" " + A).isNotEqualTo(two);
    }
}
