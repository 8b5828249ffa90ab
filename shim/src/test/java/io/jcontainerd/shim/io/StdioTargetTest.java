package io.jcontainerd.shim.io;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StdioTargetTest {

    @Test
    void readsTheFormsContainerdClientsSend() {
        assertThat(StdioTarget.parse("stdout", "")).isEqualTo(new StdioTarget.None());
        assertThat(StdioTarget.parse("stdout", "/run/ctr/t1-stdout")).isEqualTo(new StdioTarget.Fifo(Path.of("/run/ctr/t1-stdout")));
        assertThat(StdioTarget.parse("stdout", "fifo:///run/x")).isEqualTo(new StdioTarget.Fifo(Path.of("/run/x")));
        assertThat(StdioTarget.parse("stdout", "file:///var/log/t1.log")).isEqualTo(new StdioTarget.File(Path.of("/var/log/t1.log")));
    }

    @Test
    void refusesLoggingBinariesAndRelativePathsNamingTheStream() {
        assertThatThrownBy(() -> StdioTarget.parse("stderr", "binary:///usr/bin/logger?x=1"))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_IMPLEMENTED))
                .hasMessageContaining("stderr");
        assertThatThrownBy(() -> StdioTarget.parse("stdin", "relative/fifo"))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
                .hasMessageContaining("absolute");
    }
}
