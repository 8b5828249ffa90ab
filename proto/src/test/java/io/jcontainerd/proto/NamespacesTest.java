package io.jcontainerd.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import org.junit.jupiter.api.Test;

class NamespacesTest {

    @Test
    void headerNamesAreContainerds() {
        assertThat(Namespaces.NAMESPACE_HEADER.name()).isEqualTo("containerd-namespace");
        assertThat(Namespaces.LEASE_HEADER.name()).isEqualTo("containerd-lease");
        assertThat(Namespaces.DEFAULT_NAMESPACE).isEqualTo("default");
    }

    @Test
    void readsTheNamespaceAndLeaseFromRequestHeaders() {
        Metadata headers = new Metadata();
        headers.put(Namespaces.NAMESPACE_HEADER, "moby");
        headers.put(Namespaces.LEASE_HEADER, "1700000000-abcd");

        assertThat(Namespaces.namespaceOf(headers)).contains("moby");
        assertThat(Namespaces.leaseOf(headers)).contains("1700000000-abcd");
    }

    @Test
    void missingHeaderIsEmpty() {
        assertThat(Namespaces.namespaceOf(new Metadata())).isEmpty();
        assertThat(Namespaces.leaseOf(new Metadata())).isEmpty();
    }

    @Test
    void firstOfSeveralValuesWinsAsInContainerd() {
        Metadata headers = new Metadata();
        headers.put(Namespaces.NAMESPACE_HEADER, "first");
        headers.put(Namespaces.NAMESPACE_HEADER, "second");

        assertThat(Namespaces.namespaceOf(headers)).contains("first");
    }

    @Test
    void interceptorsCanBeBuiltForClients() {
        assertThat(Namespaces.namespaceInterceptor("default")).isNotNull();
        assertThat(Namespaces.namespaceAndLeaseInterceptor("default", "lease-1")).isNotNull();
    }
}
