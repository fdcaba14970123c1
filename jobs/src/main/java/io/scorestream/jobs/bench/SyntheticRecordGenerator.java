package io.scorestream.jobs.bench;

import io.scorestream.operators.ingest.RawRecord;
import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Encoded synthetic events as raw records, for benchmarks without Kafka. Each source subtask
 * interleaves a set of open sessions (so keys spread over the featurizer as in real traffic) and
 * stamps every event with the time it was generated, so sinks can measure end-to-end latency.
 *
 * <p>Sessions are generated and encoded once, into a pool each subtask replays (restamping only the
 * event time): the source costs little more than a Kafka consumer handing over bytes, so a
 * benchmark measures the pipeline rather than the generator's Avro encoder.
 */
public final class SyntheticRecordGenerator implements GeneratorFunction<Long, RawRecord> {
    private static final long serialVersionUID = 1L;
    private static final int OPEN_SESSIONS = 256;

    /** About 30 000 events per subtask; replayed sessions continue their history. */
    private static final int POOLED_SESSIONS = 2_048;

    private final long seed;

    private transient EncodedEvent[][] pool;
    private transient byte[][] keys;
    private transient int nextPooled;
    private transient int[] open;
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
                ratePerSecond > 0 ? new SteadyRate(ratePerSecond) : RateLimiterStrategy.noOp(),
                TypeInformation.of(RawRecord.class));
    }

    /** A generator outside Flink, as subtask 0. */
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
        SyntheticSessions sessions = new SyntheticSessions(seed * 1_000 + subtask);
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        long now = System.currentTimeMillis();
        pool = new EncodedEvent[POOLED_SESSIONS][];
        keys = new byte[POOLED_SESSIONS][];
        for (int s = 0; s < POOLED_SESSIONS; s++) {
            SyntheticSession session = sessions.next(now);
            keys[s] = session.sessionId().getBytes(StandardCharsets.UTF_8);
            pool[s] =
                    session.events().stream()
                            .map(event -> new EncodedEvent(codec, event, now))
                            .toArray(EncodedEvent[]::new);
        }
        open = new int[OPEN_SESSIONS];
        next = new int[OPEN_SESSIONS];
        for (int slot = 0; slot < OPEN_SESSIONS; slot++) {
            open[slot] = nextPooled++;
        }
    }

    /** Lets the pool go with the reader, even where Flink keeps the function of a finished job. */
    @Override
    public void close() {
        pool = null;
        keys = null;
    }

    @Override
    public RawRecord map(Long index) {
        int slot = (int) (index % OPEN_SESSIONS);
        if (next[slot] == pool[open[slot]].length) {
            open[slot] = nextPooled++ % POOLED_SESSIONS;
            next[slot] = 0;
        }
        EncodedEvent event = pool[open[slot]][next[slot]++];
        long now = System.currentTimeMillis();
        return new RawRecord(
                keys[open[slot]], event.stampedCopy(now), "synthetic", subtask, index, now);
    }
}
