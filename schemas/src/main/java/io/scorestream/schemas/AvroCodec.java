package io.scorestream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding of one generated record type (no header, no schema id).
 *
 * <p>Instances reuse their encoder and decoder buffers, so each one belongs to a single thread:
 * give every operator instance its own.
 */
public final class AvroCodec<T extends SpecificRecord> {

    private final Class<T> type;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    private AvroCodec(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.writer = new SpecificDatumWriter<>(type);
        this.reader = new SpecificDatumReader<>(type);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    public Class<T> type() {
        return type;
    }

    public byte[] encode(T record) {
        buffer.reset();
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
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
        if (bytes == null || bytes.length == 0) {
            throw new AvroDecodeException("empty value: no " + type.getSimpleName() + " to decode");
        }
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        T record;
        try {
            record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new AvroDecodeException(
                        "trailing bytes after a "
                                + type.getSimpleName()
                                + ": written with another schema?");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof AvroDecodeException decodeException) {
                throw decodeException;
            }
            throw new AvroDecodeException(
                    "not a valid " + type.getSimpleName() + ": " + describe(e), e);
        }
        return record;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
