package io.scorestream.operators.routing;

import io.scorestream.model.ChecksumVerifier;
import io.scorestream.model.EngineChoice;
import io.scorestream.model.ModelCatalog;
import io.scorestream.model.ModelException;
import io.scorestream.model.ModelLocation;
import io.scorestream.model.ModelManifest;
import io.scorestream.operators.features.ModelTarget;
import io.scorestream.operators.ingest.EventSpec;
import io.scorestream.operators.registry.ModelCatalogs;
import io.scorestream.operators.rollout.RolloutAdmission;
import io.scorestream.schemas.ModelRollout;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions the routing step may send events to, with the input layout of each: the
 * serving plan's, resolved when the job was built, and those a rollout names, resolved when the
 * rollout arrives. A version is admitted only if its manifest reads, every file matches its
 * checksum (fetched into the local cache first for a remote repository), it reads the job's events,
 * it ships an artifact for the job's engine, and it predicts what its cascade and fallback partners
 * predict (the same manifest label): a corrupt or incompatible candidate never gets traffic, and
 * the versions in force keep serving. As a {@link RolloutAdmission} it judges whole rollouts the
 * same way, for the featurizer and for the rollback guard alike.
 *
 * <p>With a {@link VersionWarmer} ({@link #warmingWith}, the routing step's copy), it also loads
 * the versions of an admitted rollout that get traffic before the rollout comes in force, waiting
 * for them at most {@link #WARM_WAIT}: the first events routed to a new version find it loaded.
 */
public final class RoutableVersions implements RolloutAdmission, Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RoutableVersions.class);

    /** How long a rollout waits for its versions to load before it comes in force anyway. */
    static final Duration WARM_WAIT = Duration.ofMinutes(1);

    private final ServingPlan plan;
    private final String repository;
    private final String cacheDir;
    private final EventSpec eventSpec;
    private final int historyLength;
    private final EngineChoice engine;
    private final VersionWarmer warmer;

    private transient ModelCatalog catalog;
    private transient Map<String, ModelTarget> resolved;
    private transient Map<String, String> plannedLabels;

    /**
     * @param plan the versions served when no rollout says otherwise
     * @param repository the model repository (folder or URI)
     * @param cacheDir where remote versions are cached
     * @param eventSpec the events the job reads, which every version must read too
     * @param historyLength events of history the featurizer keeps per session
     */
    public RoutableVersions(
            ServingPlan plan,
            String repository,
            Path cacheDir,
            EventSpec eventSpec,
            int historyLength) {
        this(plan, repository, cacheDir, eventSpec, historyLength, EngineChoice.PRIMARY);
    }

    /**
     * @param plan the versions served when no rollout says otherwise
     * @param repository the model repository (folder or URI)
     * @param cacheDir where remote versions are cached
     * @param eventSpec the events the job reads, which every version must read too
     * @param historyLength events of history the featurizer keeps per session
     * @param engine the artifact the job loads, which every version must ship
     */
    public RoutableVersions(
            ServingPlan plan,
            String repository,
            Path cacheDir,
            EventSpec eventSpec,
            int historyLength,
            EngineChoice engine) {
        this(
                plan,
                repository,
                cacheDir.toString(),
                eventSpec,
                historyLength,
                engine,
                VersionWarmer.none());
    }

    private RoutableVersions(
            ServingPlan plan,
            String repository,
            String cacheDir,
            EventSpec eventSpec,
            int historyLength,
            EngineChoice engine,
            VersionWarmer warmer) {
        this.plan = plan;
        this.repository = repository;
        this.cacheDir = cacheDir;
        this.eventSpec = eventSpec;
        this.historyLength = historyLength;
        this.engine = engine;
        this.warmer = warmer;
    }

    /** These versions, loading those of each admitted rollout with {@code warmer}. */
    public RoutableVersions warmingWith(VersionWarmer warmer) {
        return new RoutableVersions(
                plan, repository, cacheDir, eventSpec, historyLength, engine, warmer);
    }

    /** Binds the warmer to the task it runs in; from the routing function's {@code open}. */
    public void open(RuntimeContext context) {
        warmer.open(context);
    }

    /** Lets the warmer go of what it loaded; from the routing function's {@code close}. */
    public void close() {
        warmer.close();
    }

    public ServingPlan plan() {
        return plan;
    }

    /** The input layout of {@code model:version}, reading its manifest on first use. */
    public ModelTarget target(String model, String version) {
        ModelTarget planned = plan.target(model);
        if (planned.version().equals(version)) {
            return planned;
        }
        return resolved()
                .computeIfAbsent(
                        model + ":" + version, key -> check(catalog().manifest(model, version)));
    }

    /**
     * Admits {@code model:version} for routing: its files are fetched if remote and verified
     * against their checksums, and its manifest must read the job's events, ship the job's engine
     * and predict its cascade and fallback partners' label.
     *
     * @throws io.scorestream.model.ModelException when it cannot be found, read or verified
     * @throws IllegalArgumentException when it reads other events, needs more history, lacks the
     *     engine or predicts another label than its partners
     */
    public void admit(String model, String version) {
        if (plan.target(model).version().equals(version)) {
            return;
        }
        ModelLocation location = catalog().resolve(model, version);
        ChecksumVerifier.verify(location);
        resolved().put(model + ":" + version, check(location.manifest()));
    }

    /**
     * Why the versions {@code rollout} names cannot serve: a model this job does not serve, or a
     * stable version, or a candidate that gets traffic, that {@link #admit} refuses. Admitted
     * versions are remembered for routing.
     */
    @Override
    public Optional<String> refusal(ModelRollout rollout) {
        String model = rollout.getModel();
        if (model == null || !plan.targets().containsKey(model)) {
            return Optional.of("this job does not serve model " + model);
        }
        try {
            if (rollout.getStableVersion() != null) {
                admit(model, rollout.getStableVersion());
            }
            if (rollout.getCandidateVersion() != null && rollout.getCandidatePercent() > 0) {
                admit(model, rollout.getCandidateVersion());
            }
            return Optional.empty();
        } catch (ModelException | IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Loads the versions of {@code rollout} that get traffic (its stable version, and its candidate
     * when its percent is above 0) and waits for them, at most {@link #WARM_WAIT}. A version that
     * does not load in time, or fails to, is logged: the rollout comes in force anyway, and its
     * events wait for the load or take the fallback chain.
     */
    @Override
    public void prepare(ModelRollout rollout) throws InterruptedException {
        List<String> versions = new ArrayList<>(2);
        versions.add(rollout.getStableVersion());
        if (rollout.getCandidateVersion() != null && rollout.getCandidatePercent() > 0) {
            versions.add(rollout.getCandidateVersion());
        }
        CompletableFuture<?>[] loads = new CompletableFuture<?>[versions.size()];
        for (int i = 0; i < loads.length; i++) {
            loads[i] = warmer.warm(rollout.getModel(), versions.get(i));
        }
        try {
            CompletableFuture.allOf(loads).get(WARM_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            LOG.warn(
                    "could not load {} {} before rollout {}; its events load it again or take the"
                            + " fallback chain",
                    rollout.getModel(),
                    versions,
                    rollout.getRolloutId(),
                    failed.getCause());
        } catch (TimeoutException slow) {
            LOG.warn(
                    "{} {} still loading after {}: rollout {} comes in force, its events wait for"
                            + " the load",
                    rollout.getModel(),
                    versions,
                    WARM_WAIT,
                    rollout.getRolloutId());
        }
    }

    private ModelTarget check(ModelManifest manifest) {
        EventSpec theirs = EventSpec.of(manifest.featureSpec());
        if (!theirs.equals(eventSpec)) {
            throw new IllegalArgumentException(
                    "model "
                            + manifest.name()
                            + ":"
                            + manifest.version()
                            + " reads other events ("
                            + theirs
                            + ") than this job ("
                            + eventSpec
                            + ")");
        }
        String refusal = engine.refusal(manifest);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        checkSameTask(manifest);
        ModelTarget target = ModelTarget.of(manifest);
        target.checkHistoryCovers(historyLength);
        return target;
    }

    /**
     * A new version of a model in a cascade or fallback pair must predict what the other model
     * predicts: the plan's pairs were checked for one label when the job was built, and a rollout
     * must not turn a fraud cascade into a fraud-to-intent one.
     */
    private void checkSameTask(ModelManifest manifest) {
        for (String partner : plan.partnersOf(manifest.name())) {
            String theirs = plannedLabel(partner);
            if (!theirs.equals(manifest.label())) {
                throw new IllegalArgumentException(
                        "model "
                                + manifest.name()
                                + ":"
                                + manifest.version()
                                + " predicts '"
                                + manifest.label()
                                + "' but its cascade or fallback partner "
                                + partner
                                + " predicts '"
                                + theirs
                                + "'; a cascade or fallback pairs models of one label");
            }
        }
    }

    private String plannedLabel(String model) {
        if (plannedLabels == null) {
            plannedLabels = new HashMap<>();
        }
        return plannedLabels.computeIfAbsent(
                model, m -> catalog().manifest(m, plan.target(m).version()).label());
    }

    private ModelCatalog catalog() {
        if (catalog == null) {
            catalog = ModelCatalogs.open(repository, Path.of(cacheDir));
        }
        return catalog;
    }

    private Map<String, ModelTarget> resolved() {
        if (resolved == null) {
            resolved = new HashMap<>();
        }
        return resolved;
    }
}
