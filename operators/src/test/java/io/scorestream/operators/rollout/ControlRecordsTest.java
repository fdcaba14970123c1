package io.scorestream.operators.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.scorestream.operators.rollout.ControlRecords.Outcome;
import io.scorestream.schemas.ModelRollout;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ControlRecordsTest {

    @Test
    void aWellFormedRecordApplies() {
        assertThat(ControlRecords.problems(record("r-1", "1", "2", 10))).isEmpty();
        assertThat(ControlRecords.problems(record("r-1", "1", null, 0))).isEmpty();
        assertThat(ControlRecords.problems(record("r-1", "1", "2", 0)))
                .as("a rolled-back candidate may stay named at 0 %")
                .isEmpty();
        assertThat(ControlRecords.judge(null, record("r-1", "1", "2", 100)).applied()).isTrue();
    }

    @Test
    void namesEveryBrokenRule() {
        assertThat(ControlRecords.problems(record("r", "1", "2", 101)))
                .containsExactly("candidatePercent must be between 0 and 100, got 101");
        assertThat(ControlRecords.problems(record("r", "1", "2", -1)))
                .containsExactly("candidatePercent must be between 0 and 100, got -1");
        assertThat(ControlRecords.problems(record("r", "1", null, 5)))
                .containsExactly("candidatePercent is 5 but there is no candidate");
        assertThat(ControlRecords.problems(record("r", "1", "1", 5)))
                .containsExactly("candidateVersion equals stableVersion (1)");
        assertThat(ControlRecords.problems(record("r", "1", " ", 5)))
                .containsExactly("candidateVersion is blank");
        ModelRollout blank =
                ModelRollout.newBuilder(record(" ", "", "2", 5))
                        .setModel(" ")
                        .setIssuedBy("")
                        .build();
        assertThat(ControlRecords.problems(blank))
                .containsExactly(
                        "rolloutId is blank",
                        "model is blank",
                        "stableVersion is blank",
                        "issuedBy is blank");
        assertThat(ControlRecords.judge(null, blank).outcome()).isEqualTo(Outcome.INVALID);
        assertThat(ControlRecords.judge(null, blank).why()).contains("model is blank");
    }

    @Test
    void aRecordThatReplacesARolloutNoLongerInForceIsStale() {
        ModelRollout canary = record("r-1", "1", "2", 10);
        ModelRollout rollback =
                ModelRollout.newBuilder(record("r-2", "1", "2", 0)).setSupersedes("r-1").build();
        ModelRollout promote = record("r-3", "2", null, 0);

        assertThat(ControlRecords.judge(canary, rollback).applied()).isTrue();
        ControlRecords.Verdict late = ControlRecords.judge(promote, rollback);
        assertThat(late.outcome()).isEqualTo(Outcome.STALE);
        assertThat(late.why()).isEqualTo("it replaces rollout r-1 but the rollout in force is r-3");
        assertThat(ControlRecords.judge(null, rollback).applied())
                .as("the rollout it replaces may have left the topic by retention")
                .isTrue();
        assertThat(ControlRecords.judge(rollback, promote).applied())
                .as("records without supersedes always apply")
                .isTrue();
    }

    @Test
    void describesARolloutInOneLine() {
        assertThat(ControlRecords.describe(record("r-1", "1", "2", 10)))
                .isEqualTo(
                        "fraud-mlp: stable 1, candidate 2 at 10 % (rollout r-1, issued"
                                + " 1970-01-01T00:00:01Z by cli)");
        assertThat(
                        ControlRecords.describe(
                                ModelRollout.newBuilder(record("r-2", "2", null, 0))
                                        .setReason("promoted")
                                        .build()))
                .isEqualTo(
                        "fraud-mlp: stable 2 (rollout r-2, issued 1970-01-01T00:00:01Z by cli:"
                                + " promoted)");
    }

    static ModelRollout record(String id, String stable, String candidate, int percent) {
        return ModelRollout.newBuilder()
                .setRolloutId(id)
                .setModel("fraud-mlp")
                .setStableVersion(stable)
                .setCandidateVersion(candidate)
                .setCandidatePercent(percent)
                .setIssuedAt(Instant.ofEpochSecond(1))
                .setIssuedBy("cli")
                .build();
    }
}
