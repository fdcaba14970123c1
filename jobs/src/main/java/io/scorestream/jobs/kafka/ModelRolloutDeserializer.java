package io.scorestream.jobs.kafka;

import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.AvroDecodeException;
import io.scorestream.schemas.ModelRollout;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads control records as plain Avro {@link ModelRollout}s. One that does not decode is logged
 * with where it lies, counted ({@code undecodableControlRecords}) and skipped: a stray record on
 * the control topic must not stop the job, nor be replayed into a restart loop.
 */
public final class ModelRolloutDeserializer
        implements KafkaRecordDeserializationSchema<ModelRollout> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRolloutDeserializer.class);

    private transient AvroCodec<ModelRollout> codec;
    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = AvroCodec.of(ModelRollout.class);
        undecodable = context.getMetricGroup().counter("undecodableControlRecords");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelRollout> out) {
        try {
            out.collect(codec.decode(record.value()));
        } catch (AvroDecodeException e) {
            undecodable.inc();
            LOG.warn(
                    "Skipped control record {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<ModelRollout> getProducedType() {
        return new AvroTypeInfo<>(ModelRollout.class);
    }
}
