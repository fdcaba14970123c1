package io.scorestream.operators.deadletter;

import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** One counter per dead-letter reason, registered under the operator's metric group. */
public final class DeadLetterCounters {
    private final Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);

    public DeadLetterCounters(MetricGroup group, Iterable<DeadLetterReason> reasons) {
        for (DeadLetterReason reason : reasons) {
            counters.put(reason, group.counter(reason.counterName()));
        }
    }

    public void count(DeadLetterReason reason) {
        Counter counter = counters.get(reason);
        if (counter == null) {
            throw new IllegalStateException("no counter registered for " + reason);
        }
        counter.inc();
    }
}
