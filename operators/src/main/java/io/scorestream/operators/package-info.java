/**
 * Flink functions of the scoring pipeline: {@code ingest} decodes and validates, {@code features}
 * keeps per-session state and builds model inputs, {@code inference} batches requests into the
 * shared model service, {@code assemble} writes predictions, {@code deadletter} names and counts
 * rejects. Nothing here knows about Kafka.
 */
package io.scorestream.operators;
