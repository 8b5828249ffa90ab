package io.jcontainerd.ctr.run;

import io.jcontainerd.ctr.spec.Spec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsersTest {
    static final Map<String, String> FILES = Map.of(
            "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www:/var/www:/bin/false\n",
            "/etc/group", "root:x:0:\nwww-data:x:33:\nwheel:x:10:root,www-data\n");

    static Spec.User resolve(String user) {
        return Users.resolve(user, p -> Optional.ofNullable(FILES.get(p)));
    }

    @Test
    void resolvesNamesAndUidsThroughTheImagesPasswd() {
        assertThat(resolve("")).isEqualTo(new Spec.User(0, 0, List.of(0L, 10L)));
        assertThat(resolve("www-data")).isEqualTo(new Spec.User(33, 33, List.of(33L, 10L)));
        assertThat(resolve("33")).isEqualTo(new Spec.User(33, 33, List.of(33L, 10L)));
        assertThat(resolve("1000")).isEqualTo(new Spec.User(1000, 0, List.of(0L)));
        assertThat(resolve("1000:1000")).isEqualTo(new Spec.User(1000, 1000, List.of(1000L)));
        assertThat(resolve("www-data:wheel").gid()).isEqualTo(10);
    }

    @Test
    void anUnknownUserNameIsRefusedNamingIt() {
        assertThatThrownBy(() -> resolve("nobody")).hasMessageContaining("user nobody is not in the image's /etc/passwd");
    }
}
