package io.scorestream.jobs.kafka;

import io.scorestream.operators.ingest.RawRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Keeps each Kafka record as bytes with its coordinates, and the stage of the dead letter it was
 * replayed from ({@link ReplayHeaders#STAGE}); decoding happens in the pipeline, where a failure
 * becomes a dead letter instead of a failed source.
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        RawRecord raw =
                new RawRecord(
                        record.key(),
                        record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp());
        Header replayedStage = record.headers().lastHeader(ReplayHeaders.STAGE);
        if (replayedStage != null && replayedStage.value() != null) {
            raw.replayedStage = new String(replayedStage.value(), StandardCharsets.UTF_8);
        }
        out.collect(raw);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
