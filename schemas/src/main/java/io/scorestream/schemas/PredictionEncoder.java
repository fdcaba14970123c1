package io.scorestream.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a {@link Prediction} as plain Avro binary, field by field, into a reused buffer: the same
 * bytes as Avro's {@code SpecificDatumWriter} (a test holds it to that for every shape of
 * prediction), at a fraction of its cost. Avro's writer resolves each field, union and logical type
 * through the schema for every record; for the job's one output record per event that was a quarter
 * of the task thread that runs the sinks.
 *
 * <p>A field added to {@code Prediction.avsc} must be added here, in schema order; {@code
 * PredictionEncoderTest} fails until it is.
 */
public final class PredictionEncoder implements RecordEncoder<Prediction> {

    private byte[] buffer = new byte[512];
    private int position;

    @Override
    public byte[] encode(Prediction prediction) {
        position = 0;
        writeString(prediction.getEventId());
        writeString(prediction.getSessionId());
        writeOptionalString(prediction.getUserId());
        writeString(prediction.getEventType());
        writeString(prediction.getModelName());
        writeString(prediction.getModelVersion());
        writeFloat(prediction.getScore());
        writeScores(prediction.getScores());
        writeLong(prediction.getEventTime().toEpochMilli());
        writeLong(prediction.getScoredTime().toEpochMilli());
        writeLong(prediction.getSessionEventCount());
        writeLatency(prediction.getLatency());
        writeBoolean(prediction.getCached());
        writeBoolean(prediction.getFallback());
        writeOptionalString(prediction.getFallbackReason());
        writeBoolean(prediction.getOverBudget());
        writeOptionalString(prediction.getRolloutId());
        writePath(prediction.getPath());
        return Arrays.copyOf(buffer, position);
    }

    private void writeLatency(StageLatency latency) {
        writeLong(latency.getFeaturizeMicros());
        writeLong(latency.getQueueWaitMicros());
        writeLong(latency.getComputeMicros());
        writeLong(latency.getInferenceMicros());
        writeLong(latency.getBatchSize());
        writeLong(latency.getEndToEndMillis());
    }

    /** An array is written as one block: its item count, the items, then an empty block. */
    private void writeScores(List<Float> scores) {
        if (!scores.isEmpty()) {
            writeLong(scores.size());
            for (Float score : scores) {
                writeFloat(score);
            }
        }
        writeLong(0);
    }

    private void writePath(List<ModelStep> path) {
        if (!path.isEmpty()) {
            writeLong(path.size());
            for (ModelStep step : path) {
                writeString(step.getModel());
                writeString(step.getVersion());
                writeString(step.getOutcome());
            }
        }
        writeLong(0);
    }

    /** A {@code ["null", "string"]} union: the branch index, then the string if any. */
    private void writeOptionalString(String value) {
        if (value == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeString(value);
        }
    }

    /** Its UTF-8 length, then its UTF-8 bytes; ASCII, the usual case, without an extra array. */
    private void writeString(String value) {
        int length = value.length();
        if (isAscii(value, length)) {
            writeLong(length);
            ensure(length);
            for (int i = 0; i < length; i++) {
                buffer[position++] = (byte) value.charAt(i);
            }
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeLong(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buffer, position, utf8.length);
        position += utf8.length;
    }

    private static boolean isAscii(String value, int length) {
        for (int i = 0; i < length; i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void writeBoolean(boolean value) {
        ensure(1);
        buffer[position++] = (byte) (value ? 1 : 0);
    }

    /** Four bytes, little-endian. */
    private void writeFloat(float value) {
        ensure(4);
        int bits = Float.floatToRawIntBits(value);
        buffer[position++] = (byte) bits;
        buffer[position++] = (byte) (bits >>> 8);
        buffer[position++] = (byte) (bits >>> 16);
        buffer[position++] = (byte) (bits >>> 24);
    }

    /** Zig-zag, then seven bits a byte, low bits first (ints are written the same way). */
    private void writeLong(long value) {
        ensure(10);
        long bits = (value << 1) ^ (value >> 63);
        while ((bits & ~0x7FL) != 0) {
            buffer[position++] = (byte) ((bits & 0x7F) | 0x80);
            bits >>>= 7;
        }
        buffer[position++] = (byte) bits;
    }

    private void ensure(int more) {
        if (position + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
        }
    }
}
