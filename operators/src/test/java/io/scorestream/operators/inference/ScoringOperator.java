package io.scorestream.operators.inference;

import io.scorestream.operators.routing.Cascade;
import io.scorestream.operators.time.Clock;
import io.scorestream.schemas.InferenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * One inference operator instance as far as scoring goes: its model residency and endpoints, and a
 * single "mailbox" thread where requests are scored and the models' answers handled, as the
 * operator's task thread does. Several of them in one test stand for the subtasks of a TaskManager,
 * which share its JVM-wide services.
 */
final class ScoringOperator implements AutoCloseable {

    final ModelResidency residency;
    final ModelEndpoints endpoints;
    final ExecutorService mailbox;
    private final String repository;
    private final Clock clock;

    /** The thread the latest request ended on. */
    volatile String endedOn;

    /**
     * @param name the mailbox thread's name
     * @param repository the repository of the services' keys: one per test, as the services are
     *     JVM-wide
     * @param start starts the service of a key (on a loader thread)
     */
    ScoringOperator(
            String name,
            String repository,
            Clock clock,
            Function<InferenceServices.Key, InferenceService> start) {
        this.repository = repository;
        this.clock = clock;
        this.mailbox = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, name));
        this.residency = new ModelResidency(8, Duration.ofHours(1), clock, start);
        this.endpoints =
                new ModelEndpoints(
                        version -> residency.serviceFor(key(version.model, version.version)),
                        new UnregisteredMetricsGroup(),
                        clock,
                        Duration.ofSeconds(1));
    }

    InferenceServices.Key key(String model, String version) {
        return new InferenceServices.Key(repository, model, version, "cpu");
    }

    RequestScorer scorer(InferenceSettings settings, Cascade cascade) {
        return new RequestScorer(endpoints, cascade, settings, mailbox, clock);
    }

    ModelEndpoints.Endpoint endpoint(String model, String version) {
        return endpoints.endpoint(new ModelInput(model, version, null));
    }

    /** Loads {@code model:version} now, as the operator's open does for its serving plan. */
    void load(String model, String version) throws Exception {
        CompletableFuture<InferenceService> loading = endpoint(model, version).loading();
        if (loading != null) {
            loading.get(30, TimeUnit.SECONDS);
        }
        if (endpoint(model, version).service() == null) {
            throw new IllegalStateException(model + ":" + version + " did not load");
        }
    }

    /**
     * Starts scoring {@code request} on the mailbox thread, with a deadline on the test clock
     * ({@link InferenceService#NO_DEADLINE}: none).
     */
    CompletableFuture<InferenceResult> score(
            RequestScorer scorer, InferenceRequest request, long deadlineNanos) {
        List<PathStep> path = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<InferenceResult> result = new CompletableFuture<>();
        RequestScorer.Done done =
                (scored, error) -> {
                    endedOn = Thread.currentThread().getName();
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(scored);
                    }
                };
        mailbox.execute(
                () -> {
                    try {
                        scorer.score(request, path, System.nanoTime(), deadlineNanos, done);
                    } catch (InterruptedException | RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
        return result;
    }

    /** A request of one event, for the models given (null: none). */
    static InferenceRequest request(
            ModelInput primary, ModelInput escalation, ModelInput fallback) {
        InferenceEvent event =
                InferenceEvent.newBuilder()
                        .setEventId("e-1")
                        .setSessionId("s-1")
                        .setEventType("click")
                        .setEventTime(Instant.ofEpochMilli(1_000))
                        .setFeatures(List.of(1f, 2f))
                        .build();
        InferenceRequest request = InferenceRequest.of(event, primary, 1, 0);
        request.escalation = escalation;
        request.fallback = fallback;
        return request;
    }

    /** Waits (10 s at most) until the mailbox thread has run what was handed to it so far. */
    void drained() throws Exception {
        mailbox.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            residency.close();
        } finally {
            mailbox.shutdownNow();
        }
    }
}
