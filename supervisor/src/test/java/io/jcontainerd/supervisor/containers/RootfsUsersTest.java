package io.jcontainerd.supervisor.containers;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RootfsUsersTest {
    @TempDir
    Path dir;

    Path layer(String name, String passwd, String group) throws Exception {
        Path etc = Files.createDirectories(dir.resolve(name).resolve("etc"));
        if (passwd != null) {
            Files.writeString(etc.resolve("passwd"), passwd);
        }
        if (group != null) {
            Files.writeString(etc.resolve("group"), group);
        }
        return dir.resolve(name);
    }

    @Test
    void aNameResolvesToItsUidPrimaryGroupAndMemberships() throws Exception {
        Path l = layer("l", "root:x:0:0::/:/bin/sh\napp:x:1001:1002::/:/bin/sh\n", "app:x:1002:\nwheel:x:10:root,app\n");

        var r = new RootfsUsers(List.of(l)).resolve("c", "app", null, List.of(7L));

        assertThat(r).isEqualTo(new RootfsUsers.Resolved(1001, 1002, List.of(10L, 7L)));
        assertThat(new RootfsUsers(List.of(l)).resolve("c", "1001", "10", List.of())).isEqualTo(new RootfsUsers.Resolved(1001, 10, List.of(10L)));
        assertThat(new RootfsUsers(List.of(l)).resolve("c", "4242", null, List.of())).isEqualTo(new RootfsUsers.Resolved(4242, 0, List.of()));
    }

    @Test
    void theUpperLayerWinsAndAWhiteoutHidesTheLowerOnes() throws Exception {
        Path lower = layer("lower", "app:x:1:1::/:/bin/sh\n", null);
        Path upper = layer("upper", "app:x:2:2::/:/bin/sh\n", null);
        assertThat(new RootfsUsers(List.of(upper, lower)).resolve("c", "app", null, List.of()).uid()).isEqualTo(2);

        Path gone = Files.createDirectories(dir.resolve("gone/etc"));
        new ProcessBuilder("mknod", gone.resolve("passwd").toString(), "c", "0", "0").inheritIO().start().waitFor();
        assertThat(Files.exists(gone.resolve("passwd"))).as("whiteout made (needs root)").isTrue();
        assertThatThrownBy(() -> new RootfsUsers(List.of(dir.resolve("gone"), lower)).resolve("c", "app", null, List.of()))
                .isInstanceOf(JcdException.class).hasMessageContaining("\"app\" is not in the image's /etc/passwd");
    }

    @Test
    void aSymlinkedPasswdOrEtcIsNotFollowedOutOfTheImage() throws Exception {
        Path host = layer("host", "evil:x:0:0::/:/bin/sh\n", null);
        Path linkedFile = Files.createDirectories(dir.resolve("lf/etc"));
        Files.createSymbolicLink(linkedFile.resolve("passwd"), host.resolve("etc/passwd"));
        Files.createDirectories(dir.resolve("ld"));
        Files.createSymbolicLink(dir.resolve("ld/etc"), host.resolve("etc"));

        assertThatThrownBy(() -> new RootfsUsers(List.of(dir.resolve("lf"))).resolve("c", "evil", null, List.of()))
                .hasMessageContaining("not in the image's /etc/passwd");
        assertThatThrownBy(() -> new RootfsUsers(List.of(dir.resolve("ld"))).resolve("c", "evil", null, List.of()))
                .hasMessageContaining("not in the image's /etc/passwd");
    }

    @Test
    void aHugePasswdIsReadOnlyUpToTheBound() throws Exception {
        Path l = layer("big", null, null);
        try (var out = Files.newBufferedWriter(l.resolve("etc/passwd"))) {
            String filler = "x".repeat(1000) + "\n";
            for (int i = 0; i < (RootfsUsers.MAX_FILE_BYTES / filler.length()) + 10; i++) {
                out.write(filler);
            }
            out.write("late:x:5:5::/:/bin/sh\n");
        }

        assertThatThrownBy(() -> new RootfsUsers(List.of(l)).resolve("c", "late", null, List.of())).hasMessageContaining("\"late\" is not in");
    }

    @Test
    void dockersUserGroupAndGroupAddResolveByNameOrNumberAndAnUnknownNameSaysWhichFile() throws Exception {
        Path l = layer("d", "app:x:1001:1002::/:/bin/sh\n", "staff:x:50:\nwheel:x:10:app\n");
        var users = new RootfsUsers(List.of(l));

        assertThat(users.resolve("app", "staff", List.of("wheel", "77"))).isEqualTo(new RootfsUsers.Resolved(1001, 50, List.of(10L, 77L)));
        assertThat(users.resolve("5", "6", List.of())).isEqualTo(new RootfsUsers.Resolved(5, 6, List.of()));
        assertThatThrownBy(() -> users.resolve("ghost", null, List.of())).isInstanceOfSatisfying(RootfsUsers.NotFound.class,
                e -> assertThat(List.of(e.file(), e.name())).containsExactly("passwd", "ghost"));
        assertThatThrownBy(() -> users.resolve("app", null, List.of("nogroup"))).isInstanceOfSatisfying(RootfsUsers.NotFound.class,
                e -> assertThat(List.of(e.file(), e.name())).containsExactly("group", "nogroup"));
    }
}
