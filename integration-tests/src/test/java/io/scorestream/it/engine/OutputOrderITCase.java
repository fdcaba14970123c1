package io.scorestream.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.jobs.FlinkSetup;
import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.bench.SyntheticRecordGenerator;
import io.scorestream.jobs.config.OutputOrder;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scorestream.inference.output-order}: with PER_KEY every session's predictions leave in
 * event order, even when a session's events are answered out of order; UNORDERED lets a later
 * event's prediction overtake.
 *
 * <p>How answers come back out of order: checkout events go to intent-gru and all others to
 * fraud-mlp, each in batches of 64 that may wait a second to fill. fraud-mlp's batches fill at
 * once; intent-gru's, fed only by the few checkouts, wait. The events after a session's checkout
 * are scored while its checkout still waits for its batch.
 */
class OutputOrderITCase {

    private static final int PARALLELISM = 2;
    private static final long EVENTS = 3_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    @TempDir Path checkpoints;

    @Test
    void perKeyOrderKeepsEverySessionsPredictionsInEventOrder() throws Exception {
        Map<String, List<Integer>> bySession = run(OutputOrder.PER_KEY, "per-key");

        assertThat(bySession.values().stream().mapToInt(List::size).sum()).isEqualTo(EVENTS);
        bySession.forEach(
                (session, positions) -> assertThat(positions).as("session %s", session).isSorted());
    }

    @Test
    void unorderedOutputLetsALaterEventOfASessionOvertake() throws Exception {
        Map<String, List<Integer>> bySession = run(OutputOrder.UNORDERED, "unordered");

        assertThat(bySession.values().stream().mapToInt(List::size).sum()).isEqualTo(EVENTS);
        assertThat(bySession.values())
                .as("sessions whose predictions left out of event order")
                .anySatisfy(positions -> assertThat(isSorted(positions)).isFalse());
    }

    /** Each session's predictions, as positions in the session, in the order they left. */
    private Map<String, List<Integer>> run(OutputOrder order, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, "unused:9092");
        conf.set(ScoringOptions.MODEL_REPOSITORY, ReferenceModels.root().toString());
        conf.set(ScoringOptions.MODEL_NAME, "fraud-mlp");
        conf.setString(ScoringOptions.ROUTING_EVENT_TYPES.key(), "checkout:intent-gru");
        conf.set(ScoringOptions.MAX_BATCH_SIZE, 64);
        conf.set(ScoringOptions.MAX_DELAY, Duration.ofSeconds(1));
        conf.set(ScoringOptions.BUNDLE_SIZE, 1);
        conf.set(ScoringOptions.ASYNC_TIMEOUT, Duration.ofSeconds(60));
        conf.set(ScoringOptions.OUTPUT_ORDER, order);
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        ScoringSettings settings = ScoringSettings.from(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSetup.forScoring(conf, settings));
        env.setParallelism(PARALLELISM);
        ScoringPipeline.Outputs outputs =
                new ScoringPipeline(settings)
                        .score(
                                // Each source subtask emits its sessions' events in order.
                                env.fromSource(
                                        SyntheticRecordGenerator.source(5, EVENTS, 0),
                                        WatermarkStrategy.noWatermarks(),
                                        "Synthetic events"),
                                ScoringPipeline.microBatchedAsync());
        outputs.predictions().sinkTo(new CollectingSink<>(name)).name("Predictions");
        env.execute(name);

        Map<String, List<Integer>> bySession = new LinkedHashMap<>();
        for (Prediction prediction : CollectingSink.<Prediction>collected(name)) {
            bySession
                    .computeIfAbsent(prediction.getSessionId(), s -> new ArrayList<>())
                    .add(prediction.getSessionEventCount());
        }
        return bySession;
    }

    private static boolean isSorted(List<Integer> positions) {
        for (int i = 1; i < positions.size(); i++) {
            if (positions.get(i) < positions.get(i - 1)) {
                return false;
            }
        }
        return true;
    }
}
