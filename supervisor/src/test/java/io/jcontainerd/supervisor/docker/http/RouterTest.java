package io.jcontainerd.supervisor.docker.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private final Router.Handler h = (q, x) -> {
    };

    @Test
    void versionedAndUnversionedPathsAreTheSameRoute() {
        assertThat(Router.unversioned("/v1.41/containers/json")).isEqualTo("/containers/json");
        assertThat(Router.unversioned("/v1.44/_ping")).isEqualTo("/_ping");
        assertThat(Router.unversioned("/_ping")).isEqualTo("/_ping");
        assertThat(Router.unversioned("/v1.41")).isEqualTo("/v1.41");
    }

    @Test
    void namedSegmentsTakeOneSegmentAndStarredOnesSeveral() {
        Router r = new Router().add("GET", "/containers/{id}/json", h).add("GET", "/images/{name*}/json", h)
                .add("DELETE", "/images/{name*}", h);
        assertThat(r.match("GET", "/containers/abc/json").orElseThrow().params()).containsEntry("id", "abc");
        assertThat(r.match("GET", "/images/docker.io/library/busybox:latest/json").orElseThrow().params())
                .containsEntry("name", "docker.io/library/busybox:latest");
        assertThat(r.match("DELETE", "/images/probe/tmp:1").orElseThrow().params()).containsEntry("name", "probe/tmp:1");
        assertThat(r.match("GET", "/containers/a/b/json")).isEmpty();
        assertThat(r.match("POST", "/containers/abc/json")).isEmpty();
        assertThat(r.knowsPath("/containers/abc/json")).isTrue();
    }

    @Test
    void headFallsBackToGet() {
        Router r = new Router().add("GET", "/version", h);
        assertThat(r.match("HEAD", "/version")).isPresent();
    }
}
