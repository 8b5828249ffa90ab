package io.jcontainerd.ctr.commands;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import io.jcontainerd.api.services.introspection.v1.DeprecationWarning;
import io.jcontainerd.api.services.introspection.v1.ServerResponse;
import io.jcontainerd.api.services.version.v1.VersionResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `jctr version` reads the Version and Server answers as the generated parsers read them. */
class ServerVersionTest {
    @Test
    void versionRevisionAndUuidAreWhatTheGeneratedParsersRead() throws Exception {
        byte[] version = VersionResponse.newBuilder().setVersion("1.6.20+jcontainerd.0.1.0").setRevision("rev é")
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(7, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build())
                .build().toByteArray();
        byte[] server = ServerResponse.newBuilder().setUuid("9a88a4a2-fdd3-4976-8276-63b0d732b6fb").setPid(42).setPidns(4026531836L)
                .addDeprecations(DeprecationWarning.newBuilder().setId("io.containerd.deprecation/x").setMessage("m"))
                .build().toByteArray();

        String[] read = ServerVersion.readVersion(CodedInputStream.newInstance(version));
        VersionResponse generated = VersionResponse.parseFrom(version);
        assertThat(read).containsExactly(generated.getVersion(), generated.getRevision());
        assertThat(ServerVersion.readUuid(CodedInputStream.newInstance(server))).isEqualTo(ServerResponse.parseFrom(server).getUuid());
    }

    @Test
    void anEmptyAnswerIsEmptyStringsAndATruncatedOneIsAnError() throws Exception {
        assertThat(ServerVersion.readVersion(CodedInputStream.newInstance(new byte[0]))).containsExactly("", "");
        assertThat(ServerVersion.readUuid(CodedInputStream.newInstance(new byte[0]))).isEmpty();
        byte[] wire = ServerResponse.newBuilder().setUuid("abc").build().toByteArray();
        assertThatThrownBy(() -> ServerVersion.readUuid(CodedInputStream.newInstance(Arrays.copyOf(wire, wire.length - 1))))
                .isInstanceOf(IOException.class);
    }
}
