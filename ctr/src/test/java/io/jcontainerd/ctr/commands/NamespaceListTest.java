package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import io.jcontainerd.api.services.namespaces.v1.ListNamespacesResponse;
import io.jcontainerd.api.services.namespaces.v1.Namespace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `jctr namespaces ls` reads the Namespaces/List answer as the generated parser reads it. */
class NamespaceListTest {
    @Test
    void namesAndLabelsAreWhatTheGeneratedParserReads() throws Exception {
        ListNamespacesResponse response = ListNamespacesResponse.newBuilder()
                .addNamespaces(Namespace.newBuilder().setName("default"))
                .addNamespaces(Namespace.newBuilder().setName("k8s.io").putLabels("b", "2").putLabels("a", "")
                        .putLabels("containerd.io/gc.ref", "é ✓").setUnknownFields(UnknownFieldSet.newBuilder()
                                .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()))
                .addNamespaces(Namespace.newBuilder())
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(5, UnknownFieldSet.Field.newBuilder().addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("x")).build()).build())
                .build();
        byte[] wire = response.toByteArray();

        List<NamespaceList.Entry> read = NamespaceList.read(CodedInputStream.newInstance(wire));

        ListNamespacesResponse generated = ListNamespacesResponse.parseFrom(wire);
        assertThat(read).hasSize(generated.getNamespacesCount());
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).name()).isEqualTo(generated.getNamespaces(i).getName());
            assertThat(read.get(i).labels()).isEqualTo(generated.getNamespaces(i).getLabelsMap());
        }
        assertThat(read.get(1).labels()).containsExactly(Map.entry("b", "2"), Map.entry("a", ""), Map.entry("containerd.io/gc.ref", "é ✓"));
    }

    @Test
    void anEmptyAnswerIsNoNamespacesAndATruncatedOneIsAnError() throws Exception {
        assertThat(NamespaceList.read(CodedInputStream.newInstance(new byte[0]))).isEmpty();
        byte[] wire = ListNamespacesResponse.newBuilder().addNamespaces(Namespace.newBuilder().setName("default")).build().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(wire, wire.length - 2);
        assertThatThrownBy(() -> NamespaceList.read(CodedInputStream.newInstance(truncated)))
                .isInstanceOf(java.io.IOException.class);
    }
}
