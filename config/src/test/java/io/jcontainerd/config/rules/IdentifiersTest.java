package io.jcontainerd.config.rules;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifiersTest {

    @ParameterizedTest
    @ValueSource(strings = {"default", "moby", "plugins.moby", "k8s.io", "a", "a-b_c.d", "0abc", "A1"})
    void acceptsContainerdIdentifiers(String id) {
        assertThat(Identifiers.validate("namespace", id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-a", "a-", "a..b", "a b", "a/b", "ä", ".x", "x_", "a--b"})
    void refusesOthersNamingTheRule(String id) {
        assertThatThrownBy(() -> Identifiers.validate("namespace", id))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
                .hasMessageContaining(id)
                .hasMessageContaining("letters, digits");
    }

    @Test
    void refusesMoreThan76Characters() {
        assertThat(Identifiers.isValid("a".repeat(76))).isTrue();
        assertThatThrownBy(() -> Identifiers.validate("namespace", "a".repeat(77)))
                .hasMessageContaining("77 characters").hasMessageContaining("at most 76");
    }

    @Test
    void refusesEmpty() {
        assertThatThrownBy(() -> Identifiers.validate("container id", ""))
                .hasMessageContaining("container id must not be empty");
    }
}
