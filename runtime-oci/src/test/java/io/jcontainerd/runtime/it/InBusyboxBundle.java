package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test that runs jrunc (its own root) on a fresh busybox bundle, both made before each test and
 * removed after it, whatever the test did. A subclass's own {@code @BeforeEach} runs after this one's.
 */
abstract class InBusyboxBundle {
    Jrunc jrunc;
    BusyboxBundle bundle;

    @BeforeEach
    void makeJruncAndBundle() throws Exception {
        jrunc = Jrunc.jrunc();
        bundle = BusyboxBundle.create(jrunc);
    }

    @AfterEach
    void removeJruncAndBundle() throws Exception {
        try {
            jrunc.close();
        } finally {
            bundle.close();
        }
    }
}
