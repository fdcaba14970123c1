package io.scorestream.operators.ingest;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record exactly as a source read it: its bytes and where it came from. Decoding happens in the
 * pipeline, not in the source, so a record that cannot be decoded still reaches the dead-letter
 * output whole.
 *
 * <p>A Flink POJO: public no-argument constructor and public fields.
 */
public class RawRecord {
    public byte[] key;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;

    /**
     * For a record {@code replay-dlq} published again: the stage of the dead letter it came from
     * ({@code decode}, {@code validate}, {@code budget}, {@code inference}); null for any other.
     */
    public String replayedStage;

    public RawRecord() {}

    public RawRecord(
            byte[] key, byte[] value, String topic, int partition, long offset, long timestamp) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RawRecord other)) {
            return false;
        }
        return partition == other.partition
                && offset == other.offset
                && timestamp == other.timestamp
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value)
                && Objects.equals(topic, other.topic)
                && Objects.equals(replayedStage, other.replayedStage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
