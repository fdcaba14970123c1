package io.scorestream.jobs.config;

import java.time.Duration;

/**
 * The async inference operator: how many requests may be in flight, how long one may take, and how
 * requests are bundled on their way in.
 *
 * @param capacity requests in flight per subtask
 * @param timeout how long one request may take from the operator to its score
 * @param bundleSize requests handed to the operator together
 * @param bundleDelay how long a partly filled bundle waits for more requests
 * @param outputOrder whether results leave as they come or in each subtask's arrival order
 */
public record AsyncSettings(
        int capacity,
        Duration timeout,
        int bundleSize,
        Duration bundleDelay,
        OutputOrder outputOrder) {

    /** In-flight bundles per subtask: the capacity in requests, in whole bundles. */
    public int bundleCapacity() {
        return Math.max(1, capacity / bundleSize);
    }
}
