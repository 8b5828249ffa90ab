package io.jcontainerd.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GrpcErrorsTest {

    @Test
    void notFoundTravelsAsNotFoundWithTheMessage() {
        StatusRuntimeException status =
                GrpcErrors.toStatus(JcdException.notFound("container \"web\" in namespace \"default\""));

        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(status.getStatus().getDescription()).isEqualTo("container \"web\" in namespace \"default\"");
    }

    @Test
    void eachKindMapsToContainerdsCode() {
        assertThat(GrpcErrors.codeOf(ErrorKind.INVALID_ARGUMENT)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcErrors.codeOf(ErrorKind.NOT_FOUND)).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(GrpcErrors.codeOf(ErrorKind.ALREADY_EXISTS)).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(GrpcErrors.codeOf(ErrorKind.FAILED_PRECONDITION)).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(GrpcErrors.codeOf(ErrorKind.UNAVAILABLE)).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(GrpcErrors.codeOf(ErrorKind.NOT_IMPLEMENTED)).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(GrpcErrors.codeOf(ErrorKind.CANCELLED)).isEqualTo(Status.Code.CANCELLED);
        assertThat(GrpcErrors.codeOf(ErrorKind.DEADLINE_EXCEEDED)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(GrpcErrors.codeOf(ErrorKind.UNKNOWN)).isEqualTo(Status.Code.UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void everyKindSurvivesTheRoundTrip(ErrorKind kind) {
        JcdException sent = JcdException.of(kind, "lease \"l1\" is in use", null);

        JcdException received = GrpcErrors.fromStatus(GrpcErrors.toStatus(sent));

        assertThat(received.kind()).isEqualTo(kind);
        assertThat(received.getMessage()).isEqualTo("lease \"l1\" is in use");
    }

    @Test
    void clientSideGetsTheTypedSubclass() {
        JcdException error = GrpcErrors.fromStatus(
                Status.ALREADY_EXISTS.withDescription("image \"busybox\"").asRuntimeException());

        assertThat(error).isInstanceOf(AlreadyExistsException.class);
        assertThat(error.getCause()).isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void stripsContainerdsTrailingKindWordsOnTheClient() {
        JcdException error = GrpcErrors.fromStatus(Status.NOT_FOUND
                .withDescription("container \"x\" in namespace \"default\": not found").asRuntimeException());

        assertThat(error).isInstanceOf(NotFoundException.class);
        assertThat(error.getMessage()).isEqualTo("container \"x\" in namespace \"default\"");
    }

    @Test
    void statusWithoutDescriptionReadsAsTheKindWords() {
        JcdException error = GrpcErrors.fromStatus(Status.UNAVAILABLE.asRuntimeException());

        assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(error.getMessage()).isEqualTo("unavailable");
    }

    @Test
    void unexpectedExceptionsBecomeUnknownWithTheirMessage() {
        StatusRuntimeException status = GrpcErrors.toStatus(new IOException("disk full writing /var/lib/x"));

        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(status.getStatus().getDescription()).isEqualTo("disk full writing /var/lib/x");
        assertThat(status.getStatus().getCause()).isInstanceOf(IOException.class);
    }

    @Test
    void exceptionWithoutMessageIsDescribedByItsClass() {
        StatusRuntimeException status = GrpcErrors.toStatus(new NullPointerException());

        assertThat(status.getStatus().getDescription()).isEqualTo("java.lang.NullPointerException");
    }

    @Test
    void cancellationAndTimeoutKeepTheirMeaning() {
        assertThat(GrpcErrors.toStatus(new CancellationException("client went away")).getStatus().getCode())
                .isEqualTo(Status.Code.CANCELLED);
        assertThat(GrpcErrors.toStatus(new TimeoutException("shim did not answer")).getStatus().getCode())
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void outOfRangeIsAnExplicitOverrideThatPassesThroughUnchanged() {
        StatusRuntimeException thrown = GrpcErrors.outOfRange("write @%d must occur at current offset %d", 10, 4);

        StatusRuntimeException answered = GrpcErrors.toStatus(thrown);

        assertThat(answered).isSameAs(thrown);
        assertThat(answered.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
        assertThat(answered.getStatus().getDescription()).isEqualTo("write @10 must occur at current offset 4");
    }

    @Test
    void outOfRangeReadsAsUnknownOnTheClientLikeContainerdsClient() {
        JcdException error = GrpcErrors.fromStatus(GrpcErrors.outOfRange("offset 99 beyond size 10"));

        assertThat(error.kind()).isEqualTo(ErrorKind.UNKNOWN);
        assertThat(error.getMessage()).isEqualTo("offset 99 beyond size 10");
    }

    @Test
    void checkedStatusExceptionIsKeptWithItsTrailers() {
        Metadata trailers = new Metadata();
        trailers.put(Namespaces.NAMESPACE_HEADER, "default");

        StatusRuntimeException status = GrpcErrors.toStatus(
                Status.DATA_LOSS.withDescription("blob truncated").asException(trailers));

        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
        assertThat(status.getTrailers().get(Namespaces.NAMESPACE_HEADER)).isEqualTo("default");
        assertThat(GrpcErrors.fromStatus(new StatusException(Status.NOT_FOUND)).kind())
                .isEqualTo(ErrorKind.NOT_FOUND);
    }

    @Test
    void nonGrpcThrowableOnTheClientIsUnknown() {
        JcdException error = GrpcErrors.fromStatus(new IllegalStateException("channel shut down"));

        assertThat(error.kind()).isEqualTo(ErrorKind.UNKNOWN);
    }
}
