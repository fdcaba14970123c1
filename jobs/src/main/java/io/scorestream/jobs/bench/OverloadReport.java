package io.scorestream.jobs.bench;

import java.util.Locale;

/**
 * What happened under a burst above capacity: how fast the job kept consuming, how far it fell
 * behind, whether checkpoints kept completing and heap stayed flat, and how long the lag took to
 * drain afterwards.
 */
record OverloadReport(
        String model,
        double capacityPerSecond,
        double offeredPerSecond,
        long burstSeconds,
        double consumedPerSecond,
        long maxLag,
        long checkpointsDuringBurst,
        long failedCheckpoints,
        long liveHeapMbBefore,
        long liveHeapMbMax,
        double drainSeconds) {

    String line() {
        return String.format(
                Locale.ROOT,
                "OVERLOAD model=%s capacity_eps=%.0f offered_eps=%.0f burst_s=%d consumed_eps=%.0f"
                        + " max_lag=%d checkpoints=%d failed_checkpoints=%d live_heap_mb_before=%d"
                        + " live_heap_mb_max=%d drain_s=%.1f",
                model,
                capacityPerSecond,
                offeredPerSecond,
                burstSeconds,
                consumedPerSecond,
                maxLag,
                checkpointsDuringBurst,
                failedCheckpoints,
                liveHeapMbBefore,
                liveHeapMbMax,
                drainSeconds);
    }
}
