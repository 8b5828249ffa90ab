package io.jcontainerd.supervisor.daemon;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.transfer.v1.TransferGrpc;
import io.jcontainerd.api.services.transfer.v1.TransferRequest;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A containerd service we declare but do not serve answers UNIMPLEMENTED naming the method. */
class UnimplementedServicesIT {
    @TempDir
    Path dir;

    @Test
    void transferAnswersUnimplementedNamingTheMethod() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(dir); UnixGrpcChannel ch = new UnixGrpcChannel(d.socket())) {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> TransferGrpc.newBlockingStub(ch.namespaced("default")).transfer(TransferRequest.getDefaultInstance()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(e.getStatus().getDescription())
                    .isEqualTo("containerd.services.transfer.v1.Transfer/Transfer is not implemented by jcontainerd yet");
        }
    }
}
