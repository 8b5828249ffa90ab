package io.jcontainerd.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.jcontainerd.api.events.ImageCreate;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class AnyCodecTest {

    @Test
    void packsWithTheBareMessageName() {
        Any any = AnyCodec.pack(TaskExit.newBuilder().setContainerId("web").setPid(42).build());

        assertThat(any.getTypeUrl()).isEqualTo("containerd.events.TaskExit");
    }

    @Test
    void imageEventsCarryTheirOddPackageInTheUrl() {
        assertThat(AnyCodec.pack(ImageCreate.newBuilder().setName("busybox").build()).getTypeUrl())
                .isEqualTo("containerd.services.images.v1.ImageCreate");
    }

    @Test
    void runcOptionsAsCtrSendsThemUnpack() {
        // ctr run: WithRuntime("io.containerd.runc.v2", &Options{}) -> empty value, bare URL.
        Any fromCtr = Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").build();
        Any fromDockerd = AnyCodec.pack(Options.newBuilder()
                .setBinaryName("runc").setRoot("/var/run/docker/runtime-runc").setSystemdCgroup(true).build());

        assertThat(AnyCodec.unpack(fromCtr, Options.getDefaultInstance())).isEqualTo(Options.getDefaultInstance());
        Options options = AnyCodec.unpack(fromDockerd, Options.getDefaultInstance());
        assertThat(options.getBinaryName()).isEqualTo("runc");
        assertThat(options.getRoot()).isEqualTo("/var/run/docker/runtime-runc");
        assertThat(options.getSystemdCgroup()).isTrue();
    }

    @Test
    void acceptsTheGooglePrefixOnInput() {
        Any prefixed = Any.newBuilder()
                .setTypeUrl("type.googleapis.com/containerd.runc.v1.Options")
                .setValue(Options.newBuilder().setBinaryName("crun").build().toByteString())
                .build();

        assertThat(AnyCodec.is(prefixed, Options.getDefaultInstance())).isTrue();
        assertThat(AnyCodec.unpack(prefixed, Options.getDefaultInstance()).getBinaryName()).isEqualTo("crun");
    }

    @Test
    void refusesAnAnyOfAnotherTypeNamingBoth() {
        Any exit = AnyCodec.pack(TaskExit.getDefaultInstance());

        assertThat(AnyCodec.is(exit, Options.getDefaultInstance())).isFalse();
        assertThatThrownBy(() -> AnyCodec.unpack(exit, Options.getDefaultInstance()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("containerd.runc.v1.Options")
                .hasMessageContaining("containerd.events.TaskExit");
    }

    @Test
    void refusesBytesThatDoNotParse() {
        Any broken = Any.newBuilder()
                .setTypeUrl("containerd.runc.v1.Options")
                .setValue(ByteString.copyFrom(new byte[] {(byte) 0x0a, (byte) 0xff}))
                .build();

        assertThatThrownBy(() -> AnyCodec.unpack(broken, Options.getDefaultInstance()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("does not parse");
    }

    @Test
    void ociSpecTravelsAsJsonUnderContainerdsUrl() {
        Any spec = AnyCodec.packJson(TypeUrls.OCI_SPEC, "{\"ociVersion\":\"1.0.2\"}");

        assertThat(spec.getTypeUrl()).isEqualTo("types.containerd.io/opencontainers/runtime-spec/1/Spec");
        assertThat(AnyCodec.jsonOf(spec)).isEqualTo("{\"ociVersion\":\"1.0.2\"}");
        assertThat(TypeUrls.OCI_PROCESS).isEqualTo("types.containerd.io/opencontainers/runtime-spec/1/Process");
        assertThat(TypeUrls.OCI_LINUX_RESOURCES)
                .isEqualTo("types.containerd.io/opencontainers/runtime-spec/1/LinuxResources");
    }

    @Test
    void knownMessagesDecodeEventsByTheirUrl() {
        TaskExit exit = TaskExit.newBuilder().setContainerId("web").setId("web").setPid(7).setExitStatus(137).build();

        Message decoded = KnownMessages.decode(AnyCodec.pack(exit)).orElseThrow();

        assertThat(decoded).isEqualTo(exit);
        assertThat(KnownMessages.prototype("io.containerd.cgroups.v2.Metrics")).isPresent();
        assertThat(KnownMessages.prototype("containerd.services.images.v1.ImageDelete")).isPresent();
        assertThat(KnownMessages.decode(AnyCodec.packJson(TypeUrls.OCI_SPEC, "{}"))).isEmpty();
    }
}
