package io.scorestream.operators.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scorestream.schemas.ModelRollout;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.junit.jupiter.api.Test;

class StickyAssignmentTest {

    private static final List<String> SESSIONS = sessions(10_000, 42);

    @Test
    void murmur3MatchesThePublishedVectorsAndGuava() {
        assertThat(Murmur3.hash32(new byte[0], 0)).isZero();
        assertThat(Murmur3.hash32(new byte[0], 1)).isEqualTo(0x514E28B7);
        assertThat(Murmur3.hash32(new byte[0], 0xffffffff)).isEqualTo(0x81F16F39);
        assertThat(Murmur3.hash32(new byte[4], 0)).isEqualTo(0x2362F9DE);
        assertThat(Murmur3.hash32(utf8("aaaa"), 0x9747b28c)).isEqualTo(0x5A97808A);
        assertThat(Murmur3.hash32(utf8("Hello, world!"), 0x9747b28c)).isEqualTo(0x24884CBA);

        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            byte[] data = new byte[random.nextInt(40)];
            random.nextBytes(data);
            int seed = random.nextInt();
            assertThat(Murmur3.hash32(data, seed))
                    .as("%d bytes, seed %d", data.length, seed)
                    .isEqualTo(Hashing.murmur3_32_fixed(seed).hashBytes(data).asInt());
        }
    }

    @Test
    void tenPercentOfRandomSessionsGoToTheCandidate() {
        ModelRollout rollout = rollout("fraud-mlp", 10);
        long onCandidate =
                SESSIONS.stream()
                        .filter(s -> StickyAssignment.versionFor(rollout, "0", s).equals("2"))
                        .count();
        assertThat(onCandidate / 100.0).isCloseTo(10.0, within(1.0));
    }

    @Test
    void aSessionKeepsItsVersionForTheWholeRollout() {
        ModelRollout rollout = rollout("fraud-mlp", 30);
        ModelRollout reissued = rollout("fraud-mlp", 30); // another id, same split
        for (String session : SESSIONS) {
            String version = StickyAssignment.versionFor(rollout, "0", session);
            for (int event = 0; event < 3; event++) {
                assertThat(StickyAssignment.versionFor(rollout, "0", new String(session)))
                        .isEqualTo(version);
            }
            assertThat(StickyAssignment.versionFor(reissued, "0", session)).isEqualTo(version);
        }
    }

    @Test
    void raisingThePercentNeverMovesACandidateSessionBackToStable() {
        Set<String> previous = new HashSet<>();
        for (int percent = 0; percent <= 100; percent++) {
            Set<String> candidates = candidates(rollout("fraud-mlp", percent));
            Set<String> movedBack = new HashSet<>(previous);
            movedBack.removeAll(candidates);
            assertThat(movedBack)
                    .as("candidate sessions back on stable at %d %%", percent)
                    .isEmpty();
            assertThat(candidates.size() / 100.0).isCloseTo(percent, within(1.5));
            previous = candidates;
        }
        assertThat(previous).hasSize(SESSIONS.size());
    }

    @Test
    void noRolloutServesTheDefaultAndNoCandidateServesStable() {
        assertThat(StickyAssignment.versionFor(null, "7", "s-1")).isEqualTo("7");
        ModelRollout stableOnly =
                ModelRollout.newBuilder(rollout("fraud-mlp", 0)).setCandidateVersion(null).build();
        assertThat(candidates(stableOnly)).isEmpty();
        assertThat(candidates(rollout("fraud-mlp", 0))).isEmpty();
        assertThat(StickyAssignment.versionFor(stableOnly, "7", "s-1")).isEqualTo("1");
    }

    @Test
    void twoModelsPickIndependentCanarySessions() {
        Set<String> fraud = candidates(rollout("fraud-mlp", 10));
        Set<String> intent = candidates(rollout("intent-gru", 10));
        Set<String> both = new HashSet<>(fraud);
        both.retainAll(intent);
        // Independent 10 % samples share about 1 % of the sessions, not all 10 %.
        assertThat(both.size() / 100.0).isCloseTo(1.0, within(0.5));
    }

    @Test
    void bucketsSpreadEvenly() {
        int[] deciles = new int[10];
        for (String session : SESSIONS) {
            int bucket = StickyAssignment.bucket("fraud-mlp", session);
            assertThat(bucket).isBetween(0, StickyAssignment.BUCKETS - 1);
            deciles[bucket * 10 / StickyAssignment.BUCKETS]++;
        }
        for (int count : deciles) {
            assertThat(count).isBetween(900, 1_100);
        }
    }

    // ---------------------------------------------------------------------------------------

    static ModelRollout rollout(String model, int percent) {
        return ModelRollout.newBuilder()
                .setRolloutId(UUID.randomUUID().toString())
                .setModel(model)
                .setStableVersion("1")
                .setCandidateVersion("2")
                .setCandidatePercent(percent)
                .setIssuedAt(Instant.EPOCH)
                .setIssuedBy("test")
                .build();
    }

    private static Set<String> candidates(ModelRollout rollout) {
        Set<String> candidates = new HashSet<>();
        for (String session : SESSIONS) {
            if (StickyAssignment.onCandidate(rollout, session)) {
                candidates.add(session);
            }
        }
        return candidates;
    }

    private static List<String> sessions(int count, long seed) {
        Random random = new Random(seed);
        List<String> sessions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sessions.add(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        return sessions;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
