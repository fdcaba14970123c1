package io.scorestream.operators.ingest;

/** How an event's Avro bytes are framed in a Kafka record value. */
public enum WireFormat {
    /** Plain Avro binary of InferenceEvent, nothing before it. */
    PLAIN,
    /**
     * Confluent Schema Registry framing: magic byte 0, a 4-byte big-endian schema id, then the Avro
     * binary. Only ids the job is told to accept are decoded; the registry itself is never called.
     */
    CONFLUENT;

    /** Magic byte that opens a Confluent-framed value. */
    public static final byte CONFLUENT_MAGIC_BYTE = 0;

    /** Magic byte and schema id. */
    public static final int CONFLUENT_HEADER_LENGTH = 5;

    /** The schema id of a Confluent-framed value; the caller has checked its length and magic. */
    public static int confluentSchemaId(byte[] value) {
        return ((value[1] & 0xff) << 24)
                | ((value[2] & 0xff) << 16)
                | ((value[3] & 0xff) << 8)
                | (value[4] & 0xff);
    }

    /** The 5-byte Confluent header for {@code schemaId}, e.g. for producers and tests. */
    public static byte[] confluentHeader(int schemaId) {
        return new byte[] {
            CONFLUENT_MAGIC_BYTE,
            (byte) (schemaId >>> 24),
            (byte) (schemaId >>> 16),
            (byte) (schemaId >>> 8),
            (byte) schemaId
        };
    }
}
