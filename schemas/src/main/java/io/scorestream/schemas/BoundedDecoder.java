package io.scorestream.schemas;

import io.scorestream.schemas.AvroDecodeException.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one record's bytes that checks every declared length before anything is
 * allocated for it: a string, bytes value or collection may be no larger than the {@link
 * ReaderLimits}, nor larger than the bytes left in the record (every item of a collection takes at
 * least one byte in the schemas of this project). Avro's own decoder allocates whatever a length
 * prefix declares, so a 5-byte record can ask for 2 GB.
 *
 * <p>Strings must also be valid UTF-8: Avro would silently replace invalid bytes, hiding a record
 * written with another schema.
 *
 * <p>Everything else is delegated to Avro's {@link BinaryDecoder}. Not thread-safe; reusable via
 * {@link #configure(byte[], int, int)}.
 */
final class BoundedDecoder extends Decoder {

    private final ReaderLimits limits;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private BinaryDecoder in;
    // Items read so far by each collection being read, innermost last.
    private long[] itemsByDepth = new long[4];
    private int depth;

    BoundedDecoder(ReaderLimits limits) {
        this.limits = limits;
    }

    BoundedDecoder configure(byte[] bytes, int offset, int length) {
        in = DecoderFactory.get().binaryDecoder(bytes, offset, length, in);
        depth = 0;
        return this;
    }

    /** True when every byte of the record has been read. */
    boolean isEnd() throws IOException {
        return in.isEnd();
    }

    int remaining() throws IOException {
        // For a decoder over a byte array, its input stream's available() is exactly what is left.
        return in.inputStream().available();
    }

    private int checkedLength(String what, int limit) throws IOException {
        long declared = in.readLong();
        if (declared < 0) {
            throw new AvroDecodeException(
                    Problem.MALFORMED, "a " + what + " declares a negative length: " + declared);
        }
        if (declared > limit) {
            throw new AvroDecodeException(
                    Problem.LIMIT_EXCEEDED,
                    "a "
                            + what
                            + " declares "
                            + declared
                            + " bytes, more than the limit of "
                            + limit);
        }
        int left = remaining();
        if (declared > left) {
            throw new AvroDecodeException(
                    Problem.MALFORMED,
                    "a "
                            + what
                            + " declares "
                            + declared
                            + " bytes but only "
                            + left
                            + " are left: truncated, or not Avro");
        }
        return (int) declared;
    }

    private long checkedItems(String what, long count, boolean start) throws IOException {
        if (start) {
            if (depth == itemsByDepth.length) {
                itemsByDepth = java.util.Arrays.copyOf(itemsByDepth, depth * 2);
            }
            itemsByDepth[depth++] = 0;
        }
        long items = itemsByDepth[depth - 1] += count;
        if (items > limits.maxCollectionItems()) {
            throw new AvroDecodeException(
                    Problem.LIMIT_EXCEEDED,
                    "the "
                            + what
                            + " declares "
                            + items
                            + " items, more than the limit of "
                            + limits.maxCollectionItems());
        }
        int left = remaining();
        if (count > left) {
            throw new AvroDecodeException(
                    Problem.MALFORMED,
                    "the "
                            + what
                            + " declares "
                            + count
                            + " items but only "
                            + left
                            + " bytes are left: truncated, or not Avro");
        }
        if (count == 0) {
            depth--; // the collection has ended
        }
        return count;
    }

    private byte[] readRaw(int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return bytes;
    }

    private String text(byte[] bytes) {
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new AvroDecodeException(
                    Problem.WRONG_SCHEMA,
                    "a string field holds "
                            + bytes.length
                            + " bytes that are not UTF-8 text: written with another schema?");
        }
    }

    @Override
    public String readString() throws IOException {
        return text(readRaw(checkedLength("string", limits.maxStringLength())));
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        byte[] bytes = readRaw(checkedLength("string", limits.maxStringLength()));
        text(bytes); // validates
        return new Utf8(bytes);
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        return ByteBuffer.wrap(readRaw(checkedLength("bytes value", limits.maxBytesLength())));
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedItems("array", in.readArrayStart(), true);
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedItems("array", in.arrayNext(), false);
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedItems("map", in.readMapStart(), true);
    }

    @Override
    public long mapNext() throws IOException {
        return checkedItems("map", in.mapNext(), false);
    }

    // Plain delegation: none of these allocates more than a fixed size.

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
