package io.scorestream.jobs.config;

import io.scorestream.operators.ingest.FeatureRange;
import io.scorestream.operators.ingest.InputRules;
import java.util.List;
import java.util.Map;

/**
 * What the decoder accepts ({@code scorestream.input.*}). Ranges of single features are kept by
 * name until the served model's feature names are known, when the pipeline is built.
 */
public record InputSettings(InputRules rules, Map<String, FeatureRange> featureRanges) {

    public InputSettings {
        featureRanges = Map.copyOf(featureRanges);
    }

    public static InputSettings defaults() {
        return new InputSettings(InputRules.defaults(), Map.of());
    }

    /**
     * The decoder's rules for a model whose events carry {@code featureNames}, in order.
     *
     * @throws InvalidSettingsException when a feature range names a feature the model does not have
     */
    public InputRules rulesFor(List<String> featureNames) {
        try {
            return rules.withFeatureRanges(rules.defaultRange(), featureNames, featureRanges);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(
                    List.of(ScoringOptions.FEATURE_RANGES.key() + ": " + e.getMessage()));
        }
    }
}
