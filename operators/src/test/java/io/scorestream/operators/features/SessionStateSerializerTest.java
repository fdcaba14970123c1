package io.scorestream.operators.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

/**
 * Flink's serializer contract (round trips, copies, snapshots, spanning buffers) for the session
 * state, what it saves over the POJO serializer, and a guard for fields added to the state later.
 */
class SessionStateSerializerTest extends SerializerTestBase<SessionState> {

    SessionStateSerializerTest() {
        super(
                new DeeplyEqualsChecker()
                        .withCustomCheck(
                                (should, is) -> should instanceof SessionState,
                                (should, is, checker) -> sameFields(should, is)));
    }

    private static boolean sameFields(Object should, Object is) {
        try {
            assertThat(is).usingRecursiveComparison().isEqualTo(should);
            return true;
        } catch (AssertionError different) {
            return false;
        }
    }

    @Override
    protected TypeSerializer<SessionState> createSerializer() {
        return SessionStateSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<SessionState> getTypeClass() {
        return SessionState.class;
    }

    @Override
    protected SessionState[] getTestData() {
        SessionState fresh = new SessionState();
        SessionState partial = state(3, 16, 11);
        SessionState full = state(40, 16, 11);
        SessionState negativeZeros = state(1, 2, 3);
        negativeZeros.recentSteps[5] = -0.0f;
        return new SessionState[] {fresh, partial, full, negativeZeros};
    }

    @Test
    void aSessionWhoseHistoryIsNotFullYetTakesLessThanHalfThePojoSerializersBytes()
            throws Exception {
        SessionState early = state(3, 16, 11);
        TypeSerializer<SessionState> pojo =
                TypeInformation.of(SessionState.class).createSerializer(new SerializerConfigImpl());

        int handWritten = bytes(SessionStateSerializer.INSTANCE, early);
        int pojoBytes = bytes(pojo, early);

        assertThat(pojoBytes).isGreaterThan(800);
        assertThat(handWritten).isLessThan(pojoBytes / 2);
        assertThat(bytes(SessionStateSerializer.INSTANCE, state(40, 16, 11)))
                .as("a full history is written whole")
                .isGreaterThan(16 * 11 * 4);
    }

    @Test
    void everyFieldOfTheSessionStateSurvivesARoundTrip() throws Exception {
        // A field added to SessionState without being added to the serializer fails here.
        SessionState state = new SessionState();
        int n = 1;
        for (Field field : SessionState.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.set(state, nonDefault(field.getType(), n++));
        }
        DataOutputSerializer out = new DataOutputSerializer(256);
        SessionStateSerializer.INSTANCE.serialize(state, out);
        SessionState back =
                SessionStateSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back).usingRecursiveComparison().isEqualTo(state);
    }

    /**
     * A state after {@code count} events with a history of {@code history} steps of {@code width}.
     */
    static SessionState state(long count, int history, int width) {
        SessionState state = new SessionState();
        state.count = count;
        state.lastEventTime = 1_790_000_000_000L + count;
        state.sums = new double[] {1.5, 2.25, count, 0, 4, 5};
        state.maxs = new float[] {0.5f, 3f, -1f, 0f, 2f, 1f};
        state.recentSteps = new float[history * width];
        int filled = (int) Math.min(count, history);
        for (int i = 0; i < filled * width; i++) {
            state.recentSteps[i] = i % width == 7 ? 0f : 0.25f + i;
        }
        state.recentHead = (int) (count % history);
        return state;
    }

    private static Object nonDefault(Class<?> type, int n) {
        if (type == long.class) {
            return 1_000L + n;
        }
        if (type == int.class) {
            return n;
        }
        if (type == double[].class) {
            return new double[] {n, -n};
        }
        if (type == float[].class) {
            return new float[] {n, 0f, -n};
        }
        throw new AssertionError(
                "SessionState has a field of type "
                        + type
                        + ": teach SessionStateSerializer (and this test) about it");
    }

    private static int bytes(TypeSerializer<SessionState> serializer, SessionState state)
            throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(state, out);
        return out.length();
    }
}
