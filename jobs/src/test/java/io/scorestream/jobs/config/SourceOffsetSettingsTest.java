package io.scorestream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The source's position is the job's checkpoints' business: by default nothing is committed to the
 * consumer group and a job without state starts at the earliest offset; offsets the job committed
 * itself are never a place to start from.
 */
class SourceOffsetSettingsTest {

    @Test
    void byDefaultNothingIsCommittedAndAFreshJobStartsAtTheEarliestOffset() {
        KafkaSettings kafka = ScoringSettings.from(ScoringSettingsTest.minimal()).kafka();

        assertThat(kafka.commitOffsets()).isFalse();
        assertThat(kafka.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
    }

    @Test
    void offsetsCommittedForMonitoringAreAllowedWithAStartThatIgnoresThem() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(ScoringOptions.COMMIT_OFFSETS, true);

        assertThat(ScoringSettings.from(conf).kafka().commitOffsets()).isTrue();
    }

    @Test
    void startingFromOffsetsSetByHandIsAllowedWhileTheJobCommitsNone() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(ScoringOptions.STARTING_OFFSETS, StartingOffsets.COMMITTED_OR_EARLIEST);

        assertThat(ScoringSettings.from(conf).kafka().startingOffsets())
                .isEqualTo(StartingOffsets.COMMITTED_OR_EARLIEST);
    }

    @Test
    void startingFromTheJobsOwnCommittedOffsetsIsRefusedNamingBothKeys() {
        Configuration conf = ScoringSettingsTest.minimal();
        conf.set(ScoringOptions.COMMIT_OFFSETS, true);
        conf.set(ScoringOptions.STARTING_OFFSETS, StartingOffsets.COMMITTED_OR_EARLIEST);

        assertThatThrownBy(() -> ScoringSettings.from(conf))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("scorestream.kafka.starting-offsets")
                .hasMessageContaining("scorestream.kafka.commit-offsets")
                .hasMessageContaining("loses those events");
    }
}
