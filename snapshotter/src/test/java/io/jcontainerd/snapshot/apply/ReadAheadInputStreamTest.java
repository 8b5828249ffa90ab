package io.jcontainerd.snapshot.apply;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadInputStreamTest {
    private static final int CHUNK = 1024;

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void passesTheSourceThroughAndGivesItsChunksBackForTheNextLayer() throws IOException {
        ChunkPool pool = new ChunkPool(CHUNK, 8);
        byte[] first = bytes(10 * CHUNK + 17, 1);
        ReadAheadInputStream a = new ReadAheadInputStream(new ByteArrayInputStream(first), pool, 4);
        assertThat(a.readAllBytes()).isEqualTo(first);
        a.drain();
        a.close();
        assertThat(pool.size()).isEqualTo(pool.allocated()); // every chunk came back

        byte[] second = bytes(3 * CHUNK, 2);
        ReadAheadInputStream b = new ReadAheadInputStream(new ByteArrayInputStream(second), pool, 4);
        assertThat(b.readAllBytes()).isEqualTo(second); // reused chunks carry nothing of the first layer
        b.drain();
        b.close();
        // at most depth + 2 chunks are in use at once (one filling, four queued, one read): the second
        // layer took the first's and allocated only what the pool lacked, then gave all back
        assertThat(pool.allocated()).isBetween(1L, 6L);
        assertThat(pool.size()).isEqualTo(pool.allocated());
    }

    @Test
    void aStreamClosedEarlyGivesBackWhatItsProducerCannotReach() throws IOException {
        ChunkPool pool = new ChunkPool(CHUNK, 32);
        ReadAheadInputStream s = new ReadAheadInputStream(new ByteArrayInputStream(bytes(64 * CHUNK, 3)), pool, 4);
        assertThat(s.read(new byte[10])).isEqualTo(10);
        s.close();
        // all but the one the producer may still be filling or offering
        assertThat((long) pool.size()).isBetween(pool.allocated() - 1, pool.allocated());
        assertThat(s.read(new byte[10])).isEqualTo(-1); // nothing more once closed, not a wait for chunks that went
    }

    @Test
    void keepsNoMoreThanItsCapacity() {
        ChunkPool pool = new ChunkPool(CHUNK, 2);
        byte[] a = pool.take(), b = pool.take(), c = pool.take();
        pool.give(a);
        pool.give(b);
        pool.give(c);
        pool.give(new byte[CHUNK / 2]);
        assertThat(pool.size()).isEqualTo(2);
        assertThat(pool.take()).isSameAs(a);
    }

    @Test
    void aFailingSourceFailsTheReaderAfterTheBytesBeforeIt() {
        ChunkPool pool = new ChunkPool(CHUNK, 8);
        InputStream broken = new InputStream() {
            private int left = CHUNK + 5;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 'x';
                }
                throw new IOException("disk gone");
            }
        };
        ReadAheadInputStream s = new ReadAheadInputStream(broken, pool, 4);
        assertThatThrownBy(s::readAllBytes).isInstanceOf(IOException.class).hasMessage("disk gone");
        s.close();
    }
}
