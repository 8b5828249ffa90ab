package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.NotImplementedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionTest {
    @Test
    void readsOciAndDockerLayerMediaTypes() {
        assertThat(Compression.fromMediaType("application/vnd.oci.image.layer.v1.tar+gzip")).isEqualTo(Compression.GZIP);
        assertThat(Compression.fromMediaType("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")).isEqualTo(Compression.GZIP);
        assertThat(Compression.fromMediaType("application/vnd.docker.image.rootfs.diff.tar.gzip")).isEqualTo(Compression.GZIP);
        assertThat(Compression.fromMediaType("application/vnd.oci.image.layer.v1.tar+zstd")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.fromMediaType("application/vnd.oci.image.layer.v1.tar")).isEqualTo(Compression.NONE);
        assertThat(Compression.fromMediaType("")).isEqualTo(Compression.DETECT);
        assertThatThrownBy(() -> Compression.fromMediaType("application/vnd.oci.image.layer.v1.tar+bzip2"))
                .isInstanceOf(NotImplementedException.class).hasMessageContaining("bzip2");
        assertThatThrownBy(() -> Compression.fromMediaType("application/vnd.oci.image.layer.v1.tar+gzip+encrypted"))
                .isInstanceOf(NotImplementedException.class).hasMessageContaining("encrypted");
    }

    @Test
    void recognisesMagicBytes() {
        assertThat(Compression.fromMagic(new byte[] {0x1f, (byte) 0x8b, 8, 0}, 4)).isEqualTo(Compression.GZIP);
        assertThat(Compression.fromMagic(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 4)).isEqualTo(Compression.ZSTD);
        assertThat(Compression.fromMagic(new byte[] {'e', 't', 'c', '/'}, 4)).isEqualTo(Compression.NONE);
        assertThat(Compression.fromMagic(new byte[4], 0)).isEqualTo(Compression.NONE);
    }
}
