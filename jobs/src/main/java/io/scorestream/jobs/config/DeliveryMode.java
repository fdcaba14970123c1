package io.scorestream.jobs.config;

import org.apache.flink.connector.base.DeliveryGuarantee;

/** How predictions and dead letters are written to Kafka. */
public enum DeliveryMode {
    /**
     * Kafka transactions committed on each checkpoint: every event's prediction appears exactly
     * once to consumers reading with {@code isolation.level=read_committed}, after the checkpoint.
     */
    EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE),
    /**
     * Written at once, flushed on checkpoints: nothing lost, duplicates possible after a failure.
     */
    AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE);

    private final DeliveryGuarantee guarantee;

    DeliveryMode(DeliveryGuarantee guarantee) {
        this.guarantee = guarantee;
    }

    public DeliveryGuarantee toFlink() {
        return guarantee;
    }
}
