package io.scorestream.jobs.kafka;

import java.io.IOException;
import java.util.Collection;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KafkaSink} whose writer never throws from {@code close()}: a record the producer could
 * not write fails the task and the job restarts from its last checkpoint, with the TaskManager
 * alive.
 *
 * <p>Why: {@code KafkaWriter} keeps the first error its producer reports for a record (in the
 * producer's I/O thread) and rethrows it from the next {@code write}, {@code flush} or mailbox
 * check, and from {@code close}. When the task is already failing or being cancelled (another
 * subtask hit the same problem a moment earlier, say), {@code close} runs in the task's clean-up,
 * and Flink treats an exception there as fatal for the whole TaskManager ("FATAL - exception in
 * exception handler of task"): seen with two dead letters the broker refused as too large. A local
 * run was then left with no slots, scoring nothing, forever. The error is useless at that point:
 * the open transaction is aborted and the restored job rewrites everything since the checkpoint; so
 * it is logged instead. While the task runs, errors still fail it exactly as before (every
 * checkpoint flushes and checks), so no record is dropped silently.
 */
public final class FailoverSafeKafkaSink<IN>
        implements Sink<IN>,
                SupportsWriterState<IN, KafkaWriterState>,
                SupportsCommitter<KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>,
                LineageVertexProvider {
    private static final long serialVersionUID = 1L;

    private final KafkaSink<IN> sink;
    private final String name;

    /**
     * @param name what the logs call this sink, e.g. its topic
     */
    public FailoverSafeKafkaSink(KafkaSink<IN> sink, String name) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public Writer<IN> createWriter(WriterInitContext context) throws IOException {
        return new Writer<>(sink.createWriter(context), name);
    }

    @Override
    public Writer<IN> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState)
            throws IOException {
        return new Writer<>(sink.restoreWriter(context, recoveredState), name);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
            throws IOException {
        return sink.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committer) {
        sink.addPostCommitTopology(committer);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return sink.getLineageVertex();
    }

    /** The Kafka writer, but for {@link #close()}. */
    static final class Writer<IN>
            implements StatefulSinkWriter<IN, KafkaWriterState>,
                    CommittingSinkWriter<IN, KafkaCommittable> {
        private static final Logger LOG = LoggerFactory.getLogger(FailoverSafeKafkaSink.class);

        private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable>
                writer;
        private final String name;

        Writer(
                PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer,
                String name) {
            this.writer = writer;
            this.name = name;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public java.util.List<KafkaWriterState> snapshotState(long checkpointId)
                throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit()
                throws IOException, InterruptedException {
            return writer.prepareCommit();
        }

        /** Closes the producers; an error is logged, never thrown (see the class comment). */
        @Override
        public void close() {
            try {
                writer.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("Interrupted while closing the Kafka sink {}", name);
            } catch (Exception e) {
                LOG.warn(
                        "The Kafka sink {} closes with an error its producer reported; the task"
                                + " ends anyway, and the job restarts from its last checkpoint",
                        name,
                        e);
            }
        }
    }
}
