package io.scorestream.jobs.config;

import static io.scorestream.jobs.config.ScoringOptions.*;

import io.scorestream.operators.rollout.RollbackPolicy;
import java.time.Duration;
import java.util.List;

/**
 * Live rollout: where control records live and when the rollback guard steps in ({@code
 * scorestream.kafka.topic.control}, {@code scorestream.rollout.*}).
 *
 * @param controlTopic topic of the Avro ModelRollout records, keyed by model name
 * @param rollback when the guard sends a candidate's traffic back to stable
 */
public record RolloutSettings(String controlTopic, RollbackPolicy rollback) {

    /** The defaults of the declared options. */
    public static RolloutSettings defaults() {
        return new RolloutSettings(CONTROL_TOPIC.defaultValue(), RollbackPolicy.defaults());
    }

    /**
     * Reads and checks the options, adding a problem naming the key for each bad value.
     *
     * @return the settings, or null when a value was bad (the problems say which)
     */
    static RolloutSettings read(
            ScoringSettings.Reader read, KafkaSettings kafka, List<String> problems) {
        int before = problems.size();
        String controlTopic = read.nonBlank(CONTROL_TOPIC);
        if (controlTopic != null
                && List.of(
                                String.valueOf(kafka.eventsTopic()),
                                String.valueOf(kafka.predictionsTopic()),
                                String.valueOf(kafka.deadLetterTopic()))
                        .contains(controlTopic)) {
            problems.add(
                    CONTROL_TOPIC.key()
                            + " ("
                            + controlTopic
                            + ") must differ from "
                            + EVENTS_TOPIC.key()
                            + ", "
                            + PREDICTIONS_TOPIC.key()
                            + " and "
                            + DEAD_LETTER_TOPIC.key());
        }
        Boolean enabled = read.value(ROLLOUT_AUTO_ROLLBACK);
        Duration window = read.positive(ROLLOUT_WINDOW);
        int minSamples = read.atLeast(ROLLOUT_MIN_SAMPLES, 1);
        Double maxErrorRate = read.value(ROLLOUT_MAX_ERROR_RATE);
        if (maxErrorRate != null && !(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            problems.add(
                    ROLLOUT_MAX_ERROR_RATE.key() + " must be between 0 and 1, got " + maxErrorRate);
        }
        Duration maxP99 = read.positive(ROLLOUT_MAX_P99_LATENCY);
        Double maxPsi = read.value(ROLLOUT_MAX_PSI);
        if (maxPsi != null && !(maxPsi > 0 && maxPsi < Double.POSITIVE_INFINITY)) {
            problems.add(ROLLOUT_MAX_PSI.key() + " must be a positive number, got " + maxPsi);
        }
        if (problems.size() > before
                || enabled == null
                || window == null
                || maxErrorRate == null
                || maxP99 == null
                || maxPsi == null) {
            return null;
        }
        return new RolloutSettings(
                controlTopic,
                new RollbackPolicy(enabled, window, minSamples, maxErrorRate, maxP99, maxPsi));
    }
}
