package io.scorestream.jobs.bench;

import io.scorestream.model.ModelLoader;
import io.scorestream.model.ModelRepository;
import io.scorestream.model.ScoringModel;
import io.scorestream.operators.inference.InferenceRequest;
import io.scorestream.operators.inference.InferenceResult;
import io.scorestream.operators.inference.InferenceSettings;
import io.scorestream.operators.inference.ScoredRow;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * What users write today, as the benchmark's baseline: a map function that loads the model in
 * {@code open()} and calls it once per record.
 */
public final class NaiveInference extends RichMapFunction<InferenceRequest, InferenceResult> {
    private static final long serialVersionUID = 1L;

    private final String model;
    private final String version;
    private final InferenceSettings settings;
    private transient ScoringModel scoringModel;

    public NaiveInference(String model, String version, InferenceSettings settings) {
        this.model = model;
        this.version = version;
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        scoringModel =
                ModelLoader.load(
                        ModelRepository.at(Path.of(settings.modelRepository()))
                                .resolve(model, version),
                        settings.loadOptions());
    }

    @Override
    public InferenceResult map(InferenceRequest request) {
        long started = System.nanoTime();
        float[] scores = scoringModel.predict(new float[][] {request.primary.row})[0];
        long nanos = System.nanoTime() - started;
        return InferenceResult.scored(request, new ScoredRow(scores, 0, nanos, 1), nanos / 1_000);
    }

    @Override
    public void close() {
        if (scoringModel != null) {
            scoringModel.close();
        }
    }
}
