package io.scorestream.schemas;

/**
 * Turns records of one type into plain Avro binary (no header, no schema id). Instances may reuse
 * buffers, so each belongs to one thread.
 */
@FunctionalInterface
public interface RecordEncoder<T> {

    /** The record's bytes, in a new array the caller owns. */
    byte[] encode(T record);
}
