package io.scorestream.it.budget;

import static io.scorestream.it.failures.JobRuns.awaitPredictions;
import static io.scorestream.it.failures.JobRuns.topic;
import static io.scorestream.it.input.KafkaClients.keyedBySession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.it.KafkaBroker;
import io.scorestream.it.failures.JobRuns;
import io.scorestream.it.failures.JobRuns.Uninterrupted;
import io.scorestream.it.input.TestJobs;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.operators.budget.OverBudgetAction;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.DeadLetter;
import io.scorestream.schemas.InferenceEvent;
import io.scorestream.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-user compute budgets end to end: events beyond a user's budget never reach the model and get
 * a prediction flagged over budget (or a dead letter), and the spent budget lives in keyed state,
 * so a job restored from its checkpoint does not hand out a fresh one.
 */
class BudgetITCase {

    private static final int BUDGET = 3;
    private static final float FALLBACK = 0.5f;

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path checkpoints;

    @Test
    void overBudgetEventsGetAFlaggedFallbackAndTheSpentBudgetSurvivesARestore() throws Exception {
        Configuration conf = budgeted("budget-fallback", OverBudgetAction.FALLBACK);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // Each user's events in one session, so a user's events are scored in order.
        List<SyntheticSession> sessions = withUsers(TestJobs.sessions(81, 12));
        List<InferenceEvent> all = TestJobs.events(sessions);
        // Before the restart: two events of each user, within the budget of three; after it,
        // the rest: one more within budget, the others over it.
        List<InferenceEvent> before = new ArrayList<>();
        List<InferenceEvent> after = new ArrayList<>();
        for (SyntheticSession session : sessions) {
            before.addAll(session.events().subList(0, 2));
            after.addAll(session.events().subList(2, session.events().size()));
        }
        String events = topic(conf, ScoringOptions.EVENTS_TOPIC);

        KAFKA.clients().publish(events, keyedBySession(before));
        JobClient first = JobRuns.start(conf, TestJobs.PARALLELISM, "budget-first");
        awaitPredictions(KAFKA.clients(), conf, before.size());
        first.cancel().get();
        Configuration restored = new Configuration(conf);
        restored.set(
                StateRecoveryOptions.SAVEPOINT_PATH,
                JobRuns.latestCheckpoint(checkpoints, first.getJobID()).toString());
        KAFKA.clients().publish(events, keyedBySession(after));
        JobClient second = JobRuns.start(restored, TestJobs.PARALLELISM, "budget-restored");
        List<Prediction> predictions = awaitPredictions(KAFKA.clients(), conf, all.size());
        second.cancel().get();

        JobRuns.assertOnePredictionPerEvent(predictions, all);
        Uninterrupted expected = Uninterrupted.of(conf, sessions);
        Map<String, Prediction> byId =
                predictions.stream()
                        .collect(Collectors.toMap(Prediction::getEventId, Function.identity()));
        int flagged = 0;
        for (SyntheticSession session : sessions) {
            List<InferenceEvent> sessionEvents = session.events();
            for (int i = 0; i < sessionEvents.size(); i++) {
                String id = sessionEvents.get(i).getEventId();
                Prediction prediction = byId.get(id);
                assertThat(prediction.getSessionEventCount())
                        .as("the featurizer saw %s", id)
                        .isEqualTo(expected.positionByEvent().get(id));
                if (i < BUDGET) {
                    assertThat(prediction.getOverBudget()).as("%s within budget", id).isFalse();
                    assertThat(prediction.getFallback()).isFalse();
                    assertThat(prediction.getScore())
                            .as("model score of %s", id)
                            .isCloseTo(expected.scoreByEvent().get(id), within(1e-5f));
                } else {
                    // The third event of each user came after the restart: had the restored job
                    // forgotten the two spent before, the fourth and later would be scored too.
                    assertThat(prediction.getOverBudget()).as("%s over budget", id).isTrue();
                    assertThat(prediction.getFallback()).isTrue();
                    assertThat(prediction.getFallbackReason()).isEqualTo("OVER_BUDGET");
                    assertThat(prediction.getScore()).isEqualTo(FALLBACK);
                    assertThat(prediction.getLatency().getBatchSize()).as("no model call").isZero();
                    flagged++;
                }
            }
        }
        assertThat(flagged).isPositive();
    }

    @Test
    void overBudgetEventsCanBeDeadLetteredInstead() throws Exception {
        Configuration conf = budgeted("budget-dlq", OverBudgetAction.DEAD_LETTER);
        List<SyntheticSession> sessions = withUsers(TestJobs.sessions(82, 6));
        List<InferenceEvent> all = TestJobs.events(sessions);
        List<InferenceEvent> within = new ArrayList<>();
        List<InferenceEvent> over = new ArrayList<>();
        for (SyntheticSession session : sessions) {
            within.addAll(session.events().subList(0, BUDGET));
            over.addAll(session.events().subList(BUDGET, session.events().size()));
        }
        KAFKA.clients().publish(topic(conf, ScoringOptions.EVENTS_TOPIC), keyedBySession(all));

        JobClient job = JobRuns.start(conf, TestJobs.PARALLELISM, "budget-dlq");
        List<Prediction> predictions = awaitPredictions(KAFKA.clients(), conf, within.size());
        List<DeadLetter> letters =
                KAFKA.clients()
                        .readCommitted(
                                topic(conf, ScoringOptions.DEAD_LETTER_TOPIC),
                                DeadLetter.class,
                                read -> read.size() >= over.size(),
                                JobRuns.READ_TIMEOUT);
        job.cancel().get();

        JobRuns.assertOnePredictionPerEvent(predictions, within);
        assertThat(predictions).noneMatch(Prediction::getOverBudget);
        assertThat(letters)
                .extracting(DeadLetter::getEventId)
                .containsExactlyInAnyOrderElementsOf(
                        over.stream().map(InferenceEvent::getEventId).toList());
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        for (DeadLetter letter : letters) {
            assertThat(letter.getReason()).isEqualTo("OVER_BUDGET");
            assertThat(letter.getStage()).isEqualTo("budget");
            assertThat(letter.getMessage()).contains("spent its budget of 3 inferences");
            byte[] value = new byte[letter.getOriginalValue().remaining()];
            letter.getOriginalValue().duplicate().get(value);
            assertThat(codec.decode(value).getEventId()).isEqualTo(letter.getEventId());
        }
    }

    // ---------------------------------------------------------------------------------------

    private Configuration budgeted(String testId, OverBudgetAction action) throws Exception {
        Configuration conf = JobRuns.configuration(testId, KAFKA.bootstrapServers(), checkpoints);
        conf.set(ScoringOptions.BUDGET_MAX_INFERENCES, BUDGET);
        // Long enough that no window ends during the test.
        conf.set(ScoringOptions.BUDGET_WINDOW, Duration.ofHours(1));
        conf.set(ScoringOptions.BUDGET_ACTION, action);
        conf.set(ScoringOptions.FALLBACK_SCORE, FALLBACK);
        return conf;
    }

    /**
     * Sessions long enough to run over budget, each its own user; the last one anonymous, which is
     * budgeted per session.
     */
    private static List<SyntheticSession> withUsers(List<SyntheticSession> sessions) {
        List<SyntheticSession> result = new ArrayList<>();
        for (int s = 0; s < sessions.size(); s++) {
            SyntheticSession session = sessions.get(s);
            String user = s == sessions.size() - 1 ? null : "budget-user-" + s;
            List<InferenceEvent> events =
                    session.events().stream()
                            .map(e -> InferenceEvent.newBuilder(e).setUserId(user).build())
                            .toList();
            result.add(
                    new SyntheticSession(
                            session.sessionId(), user, session.fraud(), session.buyer(), events));
        }
        return result;
    }
}
