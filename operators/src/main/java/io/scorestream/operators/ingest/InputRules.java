package io.scorestream.operators.ingest;

import io.scorestream.schemas.ReaderLimits;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the decoder accepts beyond the shape of the model's events: the wire format, how large a
 * record and its fields may be, whether a key is required, how old an event may be, and the range
 * of every feature. Anything outside is dead-lettered with its own reason.
 *
 * @param wireFormat how the Avro bytes are framed
 * @param acceptedSchemaIds the Confluent schema ids that hold an InferenceEvent (CONFLUENT only)
 * @param maxRecordBytes largest record value accepted, in bytes
 * @param readerLimits largest string and collection one record may declare
 * @param requireKey whether a record without a key is dead-lettered
 * @param maxEventAge events older than this (by processing time) are late; zero: no limit
 * @param defaultRange range of every feature without its own
 * @param rangeByIndex ranges of single features, by their index in the feature spec
 */
public record InputRules(
        WireFormat wireFormat,
        Set<Integer> acceptedSchemaIds,
        int maxRecordBytes,
        ReaderLimits readerLimits,
        boolean requireKey,
        Duration maxEventAge,
        FeatureRange defaultRange,
        Map<Integer, FeatureRange> rangeByIndex)
        implements Serializable {

    public static final int DEFAULT_MAX_RECORD_BYTES = 512 * 1024;
    public static final ReaderLimits DEFAULT_READER_LIMITS =
            new ReaderLimits(64 * 1024, 64 * 1024, 10_000);

    public InputRules {
        Objects.requireNonNull(wireFormat, "wireFormat");
        acceptedSchemaIds = Set.copyOf(acceptedSchemaIds);
        Objects.requireNonNull(readerLimits, "readerLimits");
        Objects.requireNonNull(maxEventAge, "maxEventAge");
        Objects.requireNonNull(defaultRange, "defaultRange");
        rangeByIndex = Map.copyOf(rangeByIndex);
        if (wireFormat == WireFormat.CONFLUENT && acceptedSchemaIds.isEmpty()) {
            throw new IllegalArgumentException(
                    "the Confluent wire format needs at least one accepted schema id");
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        if (maxEventAge.isNegative()) {
            throw new IllegalArgumentException("maxEventAge must not be negative: " + maxEventAge);
        }
    }

    /**
     * Plain Avro, 512 KiB records, 64 KiB strings, no key needed, no age limit, generous ranges.
     */
    public static InputRules defaults() {
        return new InputRules(
                WireFormat.PLAIN,
                Set.of(),
                DEFAULT_MAX_RECORD_BYTES,
                DEFAULT_READER_LIMITS,
                false,
                Duration.ZERO,
                FeatureRange.DEFAULT,
                Map.of());
    }

    public InputRules withWireFormat(WireFormat format, Set<Integer> schemaIds) {
        return new InputRules(
                format,
                schemaIds,
                maxRecordBytes,
                readerLimits,
                requireKey,
                maxEventAge,
                defaultRange,
                rangeByIndex);
    }

    public InputRules withMaxRecordBytes(int bytes) {
        return new InputRules(
                wireFormat,
                acceptedSchemaIds,
                bytes,
                readerLimits,
                requireKey,
                maxEventAge,
                defaultRange,
                rangeByIndex);
    }

    public InputRules withReaderLimits(ReaderLimits limits) {
        return new InputRules(
                wireFormat,
                acceptedSchemaIds,
                maxRecordBytes,
                limits,
                requireKey,
                maxEventAge,
                defaultRange,
                rangeByIndex);
    }

    public InputRules withRequireKey(boolean required) {
        return new InputRules(
                wireFormat,
                acceptedSchemaIds,
                maxRecordBytes,
                readerLimits,
                required,
                maxEventAge,
                defaultRange,
                rangeByIndex);
    }

    public InputRules withMaxEventAge(Duration age) {
        return new InputRules(
                wireFormat,
                acceptedSchemaIds,
                maxRecordBytes,
                readerLimits,
                requireKey,
                age,
                defaultRange,
                rangeByIndex);
    }

    /**
     * Feature ranges: {@code range} for every feature, except those named in {@code byName}.
     *
     * @param featureNames the model's event features, in order
     * @throws IllegalArgumentException when {@code byName} names a feature not in the list
     */
    public InputRules withFeatureRanges(
            FeatureRange range, List<String> featureNames, Map<String, FeatureRange> byName) {
        Map<Integer, FeatureRange> byIndex = new HashMap<>();
        byName.forEach(
                (name, featureRange) -> {
                    int index = featureNames.indexOf(name);
                    if (index < 0) {
                        throw new IllegalArgumentException(
                                "unknown feature '" + name + "', expected one of " + featureNames);
                    }
                    byIndex.put(index, featureRange);
                });
        return new InputRules(
                wireFormat,
                acceptedSchemaIds,
                maxRecordBytes,
                readerLimits,
                requireKey,
                maxEventAge,
                range,
                byIndex);
    }

    /** The range feature {@code index} must lie in. */
    public FeatureRange rangeOf(int index) {
        return rangeByIndex.getOrDefault(index, defaultRange);
    }
}
