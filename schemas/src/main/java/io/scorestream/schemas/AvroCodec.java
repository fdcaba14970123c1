package io.scorestream.schemas;

import io.scorestream.schemas.AvroDecodeException.Problem;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding of one generated record type (no header, no schema id).
 *
 * <p>Decoding is bounded: a record may not declare strings or collections beyond its {@link
 * ReaderLimits}, nor longer than the bytes it has, so hostile input costs no memory. Every failure
 * is an {@link AvroDecodeException} that says which {@link Problem} it was.
 *
 * <p>Instances reuse their encoder and decoder buffers, so each one belongs to a single thread:
 * give every operator instance its own.
 */
public final class AvroCodec<T extends SpecificRecord> implements RecordEncoder<T> {

    private final Class<T> type;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;
    private final BoundedDecoder decoder;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;

    private AvroCodec(Class<T> type, ReaderLimits limits) {
        this.type = Objects.requireNonNull(type, "type");
        this.writer = new SpecificDatumWriter<>(type);
        this.reader = fastReader(type);
        this.decoder = new BoundedDecoder(Objects.requireNonNull(limits, "limits"));
    }

    /**
     * A reader with Avro's fast reader on: it plans each field's read once per schema instead of
     * walking the resolving grammar for every record (decoding events was the costliest step of the
     * pipeline's source thread). Its own data model, so the generated class's shared one, which
     * Flink's serializers use too, is left as it is.
     */
    private static <T extends SpecificRecord> SpecificDatumReader<T> fastReader(Class<T> type) {
        SpecificData generated = SpecificData.getForClass(type);
        SpecificData model = new SpecificData(type.getClassLoader());
        generated.getConversions().forEach(model::addLogicalTypeConversion);
        model.setFastReaderEnabled(true);
        Schema schema = generated.getSchema(type);
        return new SpecificDatumReader<>(schema, schema, model);
    }

    /** A codec whose records are limited only by their own size. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, ReaderLimits.NONE);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, ReaderLimits limits) {
        return new AvroCodec<>(type, limits);
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public byte[] encode(T record) {
        buffer.reset();
        // Buffered: the direct encoder hands the stream every varint byte by byte, each a
        // synchronized ByteArrayOutputStream.write with its own capacity check.
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + type.getSimpleName(), e);
        }
        return buffer.toByteArray();
    }

    /**
     * Decodes one record and checks that the bytes held exactly one: trailing bytes mean the writer
     * used another schema, which Avro's binary format cannot detect by itself.
     *
     * @throws AvroDecodeException when the bytes are not one record of this type
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw empty();
        }
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes the record held by {@code length} bytes of {@code bytes} from {@code offset}. */
    public T decode(byte[] bytes, int offset, int length) {
        if (bytes == null || length == 0) {
            throw empty();
        }
        Objects.checkFromIndexSize(offset, length, bytes.length);
        try {
            T record = reader.read(null, decoder.configure(bytes, offset, length));
            if (!decoder.isEnd()) {
                throw new AvroDecodeException(
                        Problem.WRONG_SCHEMA,
                        decoder.remaining()
                                + " trailing bytes after a "
                                + type.getSimpleName()
                                + ": written with another schema?");
            }
            return record;
        } catch (AvroDecodeException e) {
            throw new AvroDecodeException(
                    e.problem(), "not a valid " + type.getSimpleName() + ": " + e.getMessage());
        } catch (SystemLimitException | UnsupportedOperationException e) {
            // Avro's own JVM-wide limits (org.apache.avro.limits.*), when set stricter than ours.
            throw new AvroDecodeException(
                    Problem.LIMIT_EXCEEDED,
                    "not a valid " + type.getSimpleName() + ": " + describe(e),
                    e);
        } catch (EOFException e) {
            throw new AvroDecodeException(
                    Problem.MALFORMED,
                    "not a valid " + type.getSimpleName() + ": truncated, it ends mid-field",
                    e);
        } catch (IOException | RuntimeException e) {
            throw new AvroDecodeException(
                    Problem.MALFORMED,
                    "not a valid " + type.getSimpleName() + ": " + describe(e),
                    e);
        }
    }

    private AvroDecodeException empty() {
        return new AvroDecodeException(
                Problem.EMPTY, "empty value: no " + type.getSimpleName() + " to decode");
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
