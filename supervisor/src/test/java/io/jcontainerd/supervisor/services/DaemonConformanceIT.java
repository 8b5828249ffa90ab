package io.jcontainerd.supervisor.services;

import io.grpc.Channel;
import io.jcontainerd.proto.conformance.ContainerdApiConformance;
import io.jcontainerd.testsupport.RunningDaemon;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/**
 * The conformance suite that proto runs against Debian's real containerd 1.6, run against our
 * daemon: the same client calls must get the same answers. Cases for services the daemon does
 * not serve yet are listed in {@link NotServedYet} with the service they wait for; remove an
 * entry when that service lands (the suite then runs it).
 */
@ExtendWith(DaemonConformanceIT.NotServedYet.class)
class DaemonConformanceIT extends ContainerdApiConformance {
    @RegisterExtension
    static final RunningDaemon DAEMON = new RunningDaemon();

    @Override
    protected Channel rawChannel() {
        return DAEMON.channel().raw();
    }

    static final class NotServedYet implements ExecutionCondition {
        private static final Map<String, String> WAITING = Map.of(
                "introspectionListsSnapshottersWithTheirPlatforms", "platforms on the snapshotter plugins in Introspection",
                "snapshotLifecycleWithApplyAndDiff", "Diff.Diff (Apply is served)");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                    .map(m -> WAITING.get(m.getName()))
                    .map(service -> ConditionEvaluationResult.disabled("waits for " + service + " in jcontainerd"))
                    .orElse(ConditionEvaluationResult.enabled("served"));
        }
    }
}
