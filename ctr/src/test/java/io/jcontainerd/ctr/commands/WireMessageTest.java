package io.jcontainerd.ctr.commands;

import com.google.protobuf.ByteString;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.types.Mount;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What WireMessage writes is what protobuf-java's generated code writes for the same fields. */
class WireMessageTest {
    @Test
    void scalarsAreWrittenAsTheGeneratedCodeWritesThem() {
        for (int v : new int[]{0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            assertThat(new WireMessage().uint32(3, v).uint32(4, v).toByteArray())
                    .isEqualTo(ResizePtyRequest.newBuilder().setWidth(v).setHeight(v).build().toByteArray());
        }
        assertThat(new WireMessage().bool(7, true).toByteArray()).isEqualTo(CreateTaskRequest.newBuilder().setTerminal(true).build().toByteArray());
        assertThat(new WireMessage().bool(7, false).toByteArray()).isEmpty();
    }

    @Test
    void stringsAreUtf8AndLeftOutWhenEmpty() {
        String tricky = "a é ü 中 \uD83D\uDE00 \uD800 end"; // an unpaired surrogate too: both write '?'
        assertThat(new WireMessage().string(1, tricky).string(2, "").toByteArray())
                .isEqualTo(KillRequest.newBuilder().setContainerId(tricky).setExecId("").build().toByteArray());
        String longer = "x".repeat(300);
        assertThat(new WireMessage().string(1, longer).toByteArray()).isEqualTo(Mount.newBuilder().setType(longer).build().toByteArray());
        assertThat(new WireMessage().stringAlways(4, "").stringAlways(4, "ro").toByteArray())
                .isEqualTo(Mount.newBuilder().addOptions("").addOptions("ro").build().toByteArray());
        assertThat(new WireMessage().bytes(2, new byte[]{0, 1, (byte) 0xff}).toByteArray())
                .isEqualTo(com.google.protobuf.Any.newBuilder().setValue(ByteString.copyFrom(new byte[]{0, 1, (byte) 0xff})).build().toByteArray());
    }

    @Test
    void mapsAreOneEntryMessagePerPairInTheMapsOrder() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("z", "");
        labels.put("", "v");
        labels.put("k é", "w");
        assertThat(new WireMessage().stringMap(3, labels).toByteArray())
                .isEqualTo(io.jcontainerd.api.services.leases.v1.CreateRequest.newBuilder().putAllLabels(labels).build().toByteArray());
    }
}
