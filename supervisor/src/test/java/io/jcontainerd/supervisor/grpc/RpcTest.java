package io.jcontainerd.supervisor.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RpcTest {
    static final class Recorder<R> implements StreamObserver<R> {
        final List<R> messages = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        public void onNext(R value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    @Test
    void aStreamedListGoesOutInMessagesOfAtMost500ItemsInOrder() {
        Recorder<List<Integer>> r = new Recorder<>();
        Rpc.batches(r, () -> IntStream.range(0, 1001).boxed().toList(), List::copyOf);

        assertThat(r.messages).extracting(List::size).containsExactly(500, 500, 1);
        assertThat(r.messages.stream().flatMap(List::stream).toList()).isEqualTo(IntStream.range(0, 1001).boxed().toList());
        assertThat(r.completed).isTrue();
    }

    @Test
    void anEmptyListIsOneEmptyMessage() {
        Recorder<List<Integer>> r = new Recorder<>();
        Rpc.<Integer, List<Integer>>batches(r, List::of, List::copyOf);

        assertThat(r.messages).containsExactly(List.of());
        assertThat(r.completed).isTrue();
    }

    @Test
    void aFailureIsTheStatusOfItsKindAndNothingIsSent() {
        Recorder<List<Integer>> r = new Recorder<>();
        Rpc.<Integer, List<Integer>>batches(r, () -> {
            throw JcdException.notFound("pod sandbox x not found");
        }, List::copyOf);

        assertThat(r.messages).isEmpty();
        assertThat(r.error).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
}
