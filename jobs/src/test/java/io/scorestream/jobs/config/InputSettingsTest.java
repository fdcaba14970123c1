package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.operators.ingest.FeatureRange;
import io.scorestream.operators.ingest.InputRules;
import io.scorestream.operators.ingest.WireFormat;
import io.scorestream.schemas.ReaderLimits;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The {@code scorestream.input.*} settings: defaults, parsing, and problems named by key. */
class InputSettingsTest {

    private static final List<String> FEATURES = List.of("amount", "dwell", "scroll_depth");

    @Test
    void defaultsArePlainAvroWithBoundedSizesAndNoAgeLimit() {
        InputRules rules =
                ScoringSettings.from(ScoringSettingsTest.minimal()).input().rulesFor(FEATURES);

        assertThat(rules).isEqualTo(InputRules.defaults());
        assertThat(rules.wireFormat()).isEqualTo(WireFormat.PLAIN);
        assertThat(rules.maxRecordBytes()).isEqualTo(512 * 1024);
        assertThat(rules.readerLimits()).isEqualTo(new ReaderLimits(65536, 65536, 10_000));
        assertThat(rules.requireKey()).isFalse();
        assertThat(rules.maxEventAge()).isZero();
        assertThat(rules.rangeOf(0)).isEqualTo(FeatureRange.DEFAULT);
    }

    @Test
    void readsEveryInputSettingByItsKey() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.input.wire-format", "CONFLUENT");
        conf.setString("scorestream.input.schema-ids", "12;15");
        conf.setString("scorestream.input.max-record-size", "256 kb");
        conf.setString("scorestream.input.max-string-length", "1 kb");
        conf.setString("scorestream.input.max-collection-items", "64");
        conf.setString("scorestream.input.require-key", "true");
        conf.setString("scorestream.input.max-event-age", "1 h");
        conf.setString("scorestream.input.feature-range", "-100..100");
        conf.setString("scorestream.input.feature-ranges", "scroll_depth:0..1,amount:0..1e6");

        InputRules rules = ScoringSettings.from(conf).input().rulesFor(FEATURES);

        assertThat(rules.wireFormat()).isEqualTo(WireFormat.CONFLUENT);
        assertThat(rules.acceptedSchemaIds()).isEqualTo(Set.of(12, 15));
        assertThat(rules.maxRecordBytes()).isEqualTo(256 * 1024);
        assertThat(rules.readerLimits()).isEqualTo(new ReaderLimits(1024, 1024, 64));
        assertThat(rules.requireKey()).isTrue();
        assertThat(rules.maxEventAge()).isEqualTo(Duration.ofHours(1));
        assertThat(rules.rangeOf(0)).isEqualTo(new FeatureRange(0, 1e6f));
        assertThat(rules.rangeOf(1)).isEqualTo(new FeatureRange(-100, 100));
        assertThat(rules.rangeOf(2)).isEqualTo(new FeatureRange(0, 1));
    }

    @Test
    void reportsBadInputSettingsByKey() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.input.wire-format", "CONFLUENT");
        conf.setString("scorestream.input.max-record-size", "0 b");
        conf.setString("scorestream.input.max-collection-items", "0");
        conf.setString("scorestream.input.max-event-age", "-1 s");
        conf.setString("scorestream.input.feature-range", "5..1");
        conf.setString("scorestream.input.feature-ranges", "amount:lots");

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(
                        e ->
                                assertThat(((InvalidSettingsException) e).problems())
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.input.schema-ids must name at least one"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.input.max-record-size must be between"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.input.max-collection-items must be at least 1"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.input.max-event-age:"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                        "scorestream.input.feature-range:")
                                                                && p.contains("5.0..1.0"))
                                        .anyMatch(
                                                p ->
                                                        p.startsWith(
                                                                "scorestream.input.feature-ranges: amount:")));
    }

    @Test
    void aRangeForAFeatureTheModelDoesNotHaveIsAnInvalidSetting() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.setString("scorestream.input.feature-ranges", "temperature:0..40");
        InputSettings input = ScoringSettings.from(conf).input();

        assertThatThrownBy(() -> input.rulesFor(FEATURES))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.input.feature-ranges")
                .hasMessageContaining("temperature")
                .hasMessageContaining("amount");
    }
}
