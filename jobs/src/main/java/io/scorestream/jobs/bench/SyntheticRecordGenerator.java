package io.scorestream.jobs.bench;

import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Encoded synthetic events as raw records, for benchmarks without Kafka. Each source subtask
 * interleaves a set of open sessions (so keys spread over the featurizer as in real traffic) and
 * stamps every event with the time it was generated, so sinks can measure end-to-end latency.
 */
public final class SyntheticRecordGenerator implements GeneratorFunction<Long, RawRecord> {
    private static final long serialVersionUID = 1L;
    private static final int OPEN_SESSIONS = 256;

    private final long seed;

    private transient SyntheticSessions sessions;
    private transient AvroCodec<InferenceEvent> codec;
    private transient SyntheticSession[] open;
    private transient int[] next;
    private transient int subtask;

    public SyntheticRecordGenerator(long seed) {
        this.seed = seed;
    }

    /**
     * A source of {@code count} records at {@code ratePerSecond} in total (0: as fast as it can).
     */
    public static DataGeneratorSource<RawRecord> source(
            long seed, long count, double ratePerSecond) {
        return new DataGeneratorSource<>(
                new SyntheticRecordGenerator(seed),
                count,
                ratePerSecond > 0
                        ? RateLimiterStrategy.perSecond(ratePerSecond)
                        : RateLimiterStrategy.noOp(),
                TypeInformation.of(RawRecord.class));
    }

    /** A generator outside Flink (the benchmark's Kafka producer), as subtask 0. */
    static SyntheticRecordGenerator standalone(long seed) {
        SyntheticRecordGenerator generator = new SyntheticRecordGenerator(seed);
        generator.initialise(0);
        return generator;
    }

    @Override
    public void open(SourceReaderContext context) {
        initialise(context.getIndexOfSubtask());
    }

    private void initialise(int subtaskIndex) {
        subtask = subtaskIndex;
        sessions = new SyntheticSessions(seed * 1_000 + subtask);
        codec = AvroCodec.of(InferenceEvent.class);
        open = new SyntheticSession[OPEN_SESSIONS];
        next = new int[OPEN_SESSIONS];
    }

    @Override
    public RawRecord map(Long index) {
        int slot = (int) (index % OPEN_SESSIONS);
        if (open[slot] == null || next[slot] == open[slot].events().size()) {
            open[slot] = sessions.next(0);
            next[slot] = 0;
        }
        InferenceEvent event = open[slot].events().get(next[slot]++);
        long now = System.currentTimeMillis();
        event.setEventTime(Instant.ofEpochMilli(now));
        return new RawRecord(
                event.getSessionId().getBytes(StandardCharsets.UTF_8),
                codec.encode(event),
                "synthetic",
                subtask,
                index,
                now);
    }
}
