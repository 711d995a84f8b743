package io.sluice.chaos.run;

import io.sluice.chaos.checker.CheckResult;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.Schedule;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one schedule. Immutable once the runner returns it.
 *
 * @param schedule       what ran
 * @param check          the checker's counts, per topic name
 * @param topicLabels    topic name to setting label
 * @param violations     what must hold and did not (anomalies in asserted cells, the broker not coming back, crashes)
 * @param faultsInjected count per kind actually injected
 * @param recoveryMs     restart-to-serving time of each restart
 * @param operations     history size
 * @param notes          what the nemesis did (bytes cut, damage, fuzz stats) and what it skipped
 * @param dir            the schedule's directory (history, broker output), kept when it failed
 * @param finalReadComplete the final full read reached every end offset (else lost/unseen prove nothing)
 * @param nodes          cluster size it ran on
 * @param faultRecovery  per injected fault: to the first acknowledged acks=all write after its start and heal
 */
public record ScheduleResult(Schedule schedule, CheckResult check, Map<String, String> topicLabels,
                             List<String> violations, EnumMap<FaultKind, Integer> faultsInjected,
                             List<Long> recoveryMs, long operations, List<String> notes, Path dir,
                             boolean finalReadComplete, int nodes, List<RecoveryFigures.Recovery> faultRecovery) {
    public boolean failed() {
        return !violations.isEmpty();
    }
}
