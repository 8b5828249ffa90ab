package io.jcontainerd.shim.runtime;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.runtime.JruncException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;

class InProcessRuntimeTest {

    @Test
    void jruncErrorsKeepTheirKindAndTheMessageTheJruncCommandPrints() {
        JcdException notFound = InProcessRuntime.translate("delete", JruncException.notFound("container c1 does not exist in /run/jrunc/default"));
        assertThat(notFound.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(notFound).hasMessage("jrunc delete: container c1 does not exist in /run/jrunc/default");

        assertThat(InProcessRuntime.translate("create", JruncException.alreadyExists("x")).kind()).isEqualTo(ErrorKind.ALREADY_EXISTS);
        assertThat(InProcessRuntime.translate("create", JruncException.invalidArgument("x")).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
        assertThat(InProcessRuntime.translate("kill", JruncException.failedPrecondition("container c1 is not running")).kind())
                .isEqualTo(ErrorKind.FAILED_PRECONDITION);
        assertThat(InProcessRuntime.translate("create", JruncException.system("container init: boom")).kind()).isEqualTo(ErrorKind.UNKNOWN);
    }

    @Test
    void otherFailuresAreUnknownAndNameTheirType() {
        JcdException e = InProcessRuntime.translate("start", new UncheckedIOException(new java.io.IOException("disk gone")));
        assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN);
        assertThat(e).hasMessage("jrunc start: java.io.UncheckedIOException: java.io.IOException: disk gone")
                .hasCauseInstanceOf(UncheckedIOException.class);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"OutOfMemoryError", "StackOverflowError", "NoClassDefFoundError", "UnsatisfiedLinkError"})
    void anErrorOnTheWorkerThreadIsAFailedCreateNeverASuccess(String type) {
        Error error = switch (type) {
            case "OutOfMemoryError" -> new OutOfMemoryError("Java heap space");
            case "StackOverflowError" -> new StackOverflowError();
            case "NoClassDefFoundError" -> new NoClassDefFoundError("io/jcontainerd/runtime/Missing");
            default -> new UnsatisfiedLinkError("no libc in java.library.path");
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InProcessRuntime.onOwnThread("create", () -> {
                    throw error;
                }))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN))
                .hasMessageStartingWith("jrunc create failed: java.lang." + type)
                .hasCause(error);
    }
}
