package io.jcontainerd.shim;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnyTypesTest {

    @Test
    void everyNameWrittenOutIsTheNameInTheMessagesDescriptor() throws ReflectiveOperationException {
        for (var entry : AnyTypes.NAMES.entrySet()) {
            Message prototype = defaultInstance(entry.getKey());
            assertThat(entry.getValue()).as(entry.getKey().getName()).isEqualTo(TypeUrls.of(prototype));
        }
        assertThat(AnyTypes.NAMES.keySet()).extracting(Class::getSimpleName)
                .contains("TaskCreate", "TaskStart", "TaskExit", "TaskDelete", "ProcessDetails", "Metrics", "Options");
    }

    @Test
    void packsAsAnyCodecDoes() {
        TaskExit exit = TaskExit.newBuilder().setContainerId("web").setPid(42).setExitStatus(137).build();
        Mount other = Mount.newBuilder().setType("overlay").build();

        assertThat(AnyTypes.pack(exit)).isEqualTo(AnyCodec.pack(exit));
        assertThat(AnyTypes.pack(exit).getTypeUrl()).isEqualTo("containerd.events.TaskExit");
        assertThat(AnyTypes.pack(other)).as("a type without a name here: its descriptor's").isEqualTo(AnyCodec.pack(other));
    }

    @Test
    void readsRuncOptionsUnderEitherSpellingOfTheirUrl() {
        Options options = Options.newBuilder().setBinaryName("crun").setRoot("/run/crun").build();

        assertThat(AnyTypes.runcOptions(AnyTypes.pack(options))).isEqualTo(options);
        assertThat(AnyTypes.runcOptions(Any.newBuilder().setTypeUrl(TypeUrls.GOOGLE_PREFIX + "containerd.runc.v1.Options")
                .setValue(options.toByteString()).build())).isEqualTo(options);
    }

    @Test
    void noOptionsOrOptionsOfAnotherRuntimeMeanTheDefaults() {
        assertThat(AnyTypes.runcOptions(Any.getDefaultInstance())).isEqualTo(Options.getDefaultInstance());
        assertThat(AnyTypes.runcOptions(AnyCodec.packJson("io.example.Other", "{}"))).isEqualTo(Options.getDefaultInstance());
    }

    @Test
    void runcOptionsThatDoNotParseAreAnInvalidArgument() {
        Any broken = Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(ByteString.copyFrom(new byte[] {(byte) 0xff})).build();

        assertThatThrownBy(() -> AnyTypes.runcOptions(broken)).isInstanceOf(JcdException.class)
                .hasMessageContaining("containerd.runc.v1.Options does not parse");
    }

    private static Message defaultInstance(Class<? extends Message> type) throws ReflectiveOperationException {
        try {
            return (Message) type.getMethod("getDefaultInstance").invoke(null);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
