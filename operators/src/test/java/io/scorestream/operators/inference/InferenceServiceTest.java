package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import io.scorestream.model.InvalidModelInputException;
import io.scorestream.model.LoadOptions;
import io.scorestream.model.ModelExecutionException;
import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelRepository;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.testing.ReferenceModels;
import io.scorestream.operators.time.Clock;
import io.scorestream.operators.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InferenceServiceTest {

    private static final long SECOND = 1_000_000_000L;

    /** A service of one worker over {@code model}, in batches of up to 8 taken at once. */
    private static InferenceService scripted(ScriptedModel model, ManualClock clock) {
        return new InferenceService(
                model,
                new BatchingConfig(8, Duration.ZERO, 64, 1),
                CacheConfig.off(),
                BreakerConfig.off(),
                clock);
    }

    private static float[] row(float value) {
        return new float[] {value};
    }

    private static ScoringModel load(String name) {
        return ModelLoader.load(
                ModelRepository.at(ReferenceModels.root()).resolve(name, "1"),
                LoadOptions.defaults());
    }

    @Test
    void scoresEveryGoldenRowLikeThePythonModel() throws Exception {
        for (String name : List.of("fraud-mlp", "intent-gru")) {
            JsonObject golden = ReferenceModels.modelGolden(name, "1");
            float[][] inputs = ReferenceModels.rows(golden.getAsJsonArray("inputs"));
            float[] expected = ReferenceModels.floats(golden.getAsJsonArray("scores"));
            BatchingConfig config = new BatchingConfig(16, Duration.ofMillis(2), 256, 2);
            try (InferenceService service =
                    new InferenceService(load(name), config, Clock.system())) {
                List<CompletableFuture<ScoredRow>> results = new ArrayList<>();
                for (float[] input : inputs) {
                    results.add(service.submit(input));
                }
                for (int i = 0; i < inputs.length; i++) {
                    ScoredRow row = results.get(i).get(30, TimeUnit.SECONDS);
                    assertThat(row.scores()[0])
                            .as("%s row %d", name, i)
                            .isCloseTo(expected[i], within(1e-5f));
                    assertThat(row.batchSize()).isBetween(1, 16);
                }
            }
        }
    }

    @Test
    void rowsQueuedTogetherAreScoredInOneBatch() throws Exception {
        float[][] inputs =
                ReferenceModels.rows(
                        ReferenceModels.modelGolden("fraud-mlp", "1").getAsJsonArray("inputs"));
        // A long delay: only the size trigger can release the batch.
        BatchingConfig config = new BatchingConfig(8, Duration.ofMinutes(5), 64, 1);
        try (InferenceService service =
                new InferenceService(load("fraud-mlp"), config, Clock.system())) {
            List<CompletableFuture<ScoredRow>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(service.submit(inputs[i]));
            }
            for (CompletableFuture<ScoredRow> result : results) {
                ScoredRow row = result.get(30, TimeUnit.SECONDS);
                assertThat(row.batchSize()).isEqualTo(8);
                assertThat(row.computeNanos()).isPositive();
                assertThat(row.queueWaitNanos()).isNotNegative();
            }
        }
    }

    @Test
    void aBadRowFailsAloneAndItsNeighboursAreScored() throws Exception {
        JsonObject golden = ReferenceModels.modelGolden("fraud-mlp", "1");
        float[][] inputs = ReferenceModels.rows(golden.getAsJsonArray("inputs"));
        float[] expected = ReferenceModels.floats(golden.getAsJsonArray("scores"));
        BatchingConfig config = new BatchingConfig(7, Duration.ofMinutes(5), 64, 1);
        try (InferenceService service =
                new InferenceService(load("fraud-mlp"), config, Clock.system())) {
            List<CompletableFuture<ScoredRow>> results = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                results.add(service.submit(i == 4 ? new float[3] : inputs[i]));
            }
            for (int i = 0; i < 7; i++) {
                CompletableFuture<ScoredRow> result = results.get(i);
                if (i == 4) {
                    assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(InvalidModelInputException.class);
                } else {
                    assertThat(result.get(30, TimeUnit.SECONDS).scores()[0])
                            .isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
    }

    @Test
    void rowsWhoseCallerTimedOutWhileQueuedNeverReachTheModelAndAreCounted() throws Exception {
        ManualClock clock = new ManualClock();
        ScriptedModel model = new ScriptedModel("fraud-mlp", "1", ScriptedModel.ECHO);
        AtomicInteger shed = new AtomicInteger();
        Runnable countShed = shed::incrementAndGet;
        try (InferenceService service = scripted(model, clock)) {
            model.closeGate();
            CompletableFuture<ScoredRow> first = service.submit(row(1));
            model.awaitCallAtGate(); // the worker is busy: what follows waits in the queue
            long now = clock.nanoTime();
            CompletableFuture<ScoredRow> expires =
                    service.submit(row(2), Runnable::run, now + SECOND, countShed);
            CompletableFuture<ScoredRow> abandoned =
                    service.submit(row(3), Runnable::run, InferenceService.NO_DEADLINE, countShed);
            abandoned.completeExceptionally(new TimeoutException("the caller's own timeout"));
            CompletableFuture<ScoredRow> inTime =
                    service.submit(row(4), Runnable::run, now + 10 * SECOND, countShed);
            CompletableFuture<ScoredRow> patient = service.submit(row(5));
            clock.advance(Duration.ofSeconds(2));
            model.openGate();

            assertThat(first.get(30, TimeUnit.SECONDS).scores()).containsExactly(1f);
            assertThat(inTime.get(30, TimeUnit.SECONDS).scores()).containsExactly(4f);
            assertThat(patient.get(30, TimeUnit.SECONDS).scores()).containsExactly(5f);
            assertThatThrownBy(() -> expires.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(CallerTimedOutException.class);
            assertThat(model.seen()).extracting(r -> r[0]).containsExactly(1f, 4f, 5f);
            assertThat(service.shedRows()).isEqualTo(2);
            assertThat(shed).hasValue(2);
        }
    }

    @Test
    void aRowThatFailsAloneWhileItsNeighboursScoreIsAnInputFailure() throws Exception {
        ScriptedModel model = new ScriptedModel("fraud-mlp", "1", ScriptedModel.FAILS_ON_NAN);
        try (InferenceService service = scripted(model, new ManualClock())) {
            model.closeGate();
            CompletableFuture<ScoredRow> first = service.submit(row(1));
            model.awaitCallAtGate();
            List<CompletableFuture<ScoredRow>> batch = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                batch.add(service.submit(row(i == 3 ? Float.NaN : i)));
            }
            model.openGate();

            assertThat(first.get(30, TimeUnit.SECONDS).scores()).containsExactly(1f);
            for (int i = 0; i < 6; i++) {
                CompletableFuture<ScoredRow> result = batch.get(i);
                if (i == 3) {
                    assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
                            .cause()
                            .isInstanceOf(InputFailureException.class)
                            .hasCauseInstanceOf(ModelExecutionException.class)
                            .hasMessage("the engine failed on a NaN");
                } else {
                    assertThat(result.get(30, TimeUnit.SECONDS).scores()).containsExactly(i);
                }
            }
        }
    }

    @Test
    void aBatchOfWhichNoRowScoresIsAModelFailure() throws Exception {
        ScriptedModel model = new ScriptedModel("fraud-mlp", "1", ScriptedModel.BROKEN);
        try (InferenceService service = scripted(model, new ManualClock())) {
            model.closeGate();
            CompletableFuture<ScoredRow> first = service.submit(row(1));
            model.awaitCallAtGate();
            List<CompletableFuture<ScoredRow>> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                batch.add(service.submit(row(i)));
            }
            model.openGate();

            for (CompletableFuture<ScoredRow> result : batch) {
                assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
                        .hasCauseExactlyInstanceOf(ModelExecutionException.class);
            }
            assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS))
                    .hasCauseExactlyInstanceOf(ModelExecutionException.class);
        }
    }

    @Test
    void answersAreCompletedOnTheCallersExecutorOneTaskPerBatchAndCaller() throws Exception {
        float[][] inputs =
                ReferenceModels.rows(
                        ReferenceModels.modelGolden("fraud-mlp", "1").getAsJsonArray("inputs"));
        BlockingQueue<Runnable> first = new LinkedBlockingQueue<>();
        BlockingQueue<Runnable> second = new LinkedBlockingQueue<>();
        Executor firstCaller = first::add;
        Executor secondCaller = second::add;
        // A long delay: the eight rows leave as one batch, for two callers.
        BatchingConfig config = new BatchingConfig(8, Duration.ofMinutes(5), 64, 1);
        try (InferenceService service =
                new InferenceService(load("fraud-mlp"), config, Clock.system())) {
            List<CompletableFuture<ScoredRow>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(service.submit(inputs[i], i % 2 == 0 ? firstCaller : secondCaller));
            }
            Runnable firstAnswers = first.poll(30, TimeUnit.SECONDS);
            Runnable secondAnswers = second.poll(30, TimeUnit.SECONDS);
            assertThat(firstAnswers).isNotNull();
            assertThat(secondAnswers).isNotNull();
            assertThat(results).noneMatch(CompletableFuture::isDone);

            List<String> completedOn = new ArrayList<>();
            results.forEach(
                    result ->
                            result.thenRun(
                                    () -> completedOn.add(Thread.currentThread().getName())));
            firstAnswers.run();
            for (int i = 0; i < 8; i++) {
                assertThat(results.get(i).isDone()).as("row %d", i).isEqualTo(i % 2 == 0);
            }
            secondAnswers.run();

            assertThat(first).isEmpty();
            assertThat(second).isEmpty();
            assertThat(completedOn).hasSize(8).containsOnly(Thread.currentThread().getName());
            assertThat(results.get(3).get().batchSize()).isEqualTo(8);
        }
    }

    @Test
    void answersForACallerThatHasClosedAreDroppedAndTheWorkerGoesOn() throws Exception {
        float[][] inputs =
                ReferenceModels.rows(
                        ReferenceModels.modelGolden("fraud-mlp", "1").getAsJsonArray("inputs"));
        Executor closed =
                answers -> {
                    throw new RejectedExecutionException("mailbox closed");
                };
        BatchingConfig config = new BatchingConfig(4, Duration.ZERO, 64, 1);
        try (InferenceService service =
                new InferenceService(load("fraud-mlp"), config, Clock.system())) {
            CompletableFuture<ScoredRow> dropped = service.submit(inputs[0], closed);
            CompletableFuture<ScoredRow> answered = service.submit(inputs[1]);

            assertThat(answered.get(30, TimeUnit.SECONDS).scores()).hasSize(1);
            assertThat(dropped).isNotDone();
        }
    }

    @Test
    void closingFinishesQueuedRowsThenRefusesNewOnes() throws Exception {
        float[][] inputs =
                ReferenceModels.rows(
                        ReferenceModels.modelGolden("fraud-mlp", "1").getAsJsonArray("inputs"));
        BatchingConfig config = new BatchingConfig(64, Duration.ofMinutes(5), 64, 1);
        InferenceService service = new InferenceService(load("fraud-mlp"), config, Clock.system());
        List<CompletableFuture<ScoredRow>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(service.submit(inputs[i]));
        }

        service.close();

        for (CompletableFuture<ScoredRow> result : results) {
            assertThat(result).isCompleted();
            assertThat(result.get().batchSize()).isEqualTo(5);
        }
        assertThatThrownBy(() -> service.submit(inputs[0]))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void subtasksOfOneTaskManagerShareOneServiceAndItClosesWithTheLastUser() throws Exception {
        InferenceServices.Key key =
                new InferenceServices.Key(
                        ReferenceModels.root().toString(), "fraud-mlp", "1", "cpu");
        AtomicInteger loads = new AtomicInteger();
        BatchingConfig config = new BatchingConfig(8, Duration.ZERO, 64, 1);
        java.util.function.Supplier<InferenceService> factory =
                () -> {
                    loads.incrementAndGet();
                    return new InferenceService(load("fraud-mlp"), config, Clock.system());
                };

        InferenceServices.Lease first = InferenceServices.acquire(key, factory);
        InferenceServices.Lease second = InferenceServices.acquire(key, factory);
        InferenceService service = second.service().get(30, TimeUnit.SECONDS);

        assertThat(loads).hasValue(1);
        assertThat(first.service().get(30, TimeUnit.SECONDS)).isSameAs(service);
        assertThat(InferenceServices.users(key)).isEqualTo(2);

        first.close();
        first.close(); // idempotent
        assertThat(InferenceServices.users(key)).isEqualTo(1);
        float[] row = new float[24];
        assertThat(service.submit(row).get(30, TimeUnit.SECONDS).scores()).hasSize(1);

        second.close();
        assertThat(InferenceServices.users(key)).isZero();
        assertThatThrownBy(() -> service.submit(row))
                .isInstanceOf(RejectedExecutionException.class);

        try (InferenceServices.Lease third = InferenceServices.acquire(key, factory)) {
            assertThat(third.service().get(30, TimeUnit.SECONDS)).isNotSameAs(service);
        }
        assertThat(loads).as("a new user after the last one left loads again").hasValue(2);
    }
}
