package io.scorestream.operators.inference;

import io.scorestream.model.ModelManifest;
import io.scorestream.model.ModelSession;
import io.scorestream.model.ScoringModel;

/**
 * What an {@link InferenceService} needs of a loaded model version: its manifest, one session per
 * worker thread, and closing. {@link #of(ScoringModel)} adapts a model DJL loaded; tests give
 * hand-written ones (a model that blocks, fails, or records the rows it is asked to score).
 */
interface BatchModel extends AutoCloseable {

    ModelManifest manifest();

    /** A session for one worker thread, closed by it. */
    Session newSession();

    /** Releases the model; see {@link ScoringModel#close()}. */
    @Override
    void close();

    /** One worker thread's predictor, with the contract of {@link ModelSession#predict}. */
    interface Session extends AutoCloseable {

        float[][] predict(float[][] rows);

        @Override
        void close();
    }

    /** {@code model}, each session one of its {@link ModelSession}s. */
    static BatchModel of(ScoringModel model) {
        return new BatchModel() {
            @Override
            public ModelManifest manifest() {
                return model.manifest();
            }

            @Override
            public Session newSession() {
                ModelSession session = model.newSession();
                return new Session() {
                    @Override
                    public float[][] predict(float[][] rows) {
                        return session.predict(rows);
                    }

                    @Override
                    public void close() {
                        session.close();
                    }
                };
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }
}
