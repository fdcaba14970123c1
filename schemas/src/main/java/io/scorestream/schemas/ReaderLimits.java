package io.scorestream.schemas;

import java.io.Serializable;

/**
 * How much one record may declare before it is read: the longest string, the longest bytes value
 * and the most items of one array or map. A record that declares more is rejected before anything
 * is allocated for it.
 *
 * <p>These are the limits Avro 1.12 reads from the {@code org.apache.avro.limits.*} system
 * properties, but per codec: Avro reads those properties once per JVM, when its {@code
 * SystemLimitException} class loads, so a job cannot set them reliably on a shared TaskManager. A
 * codec enforces its own limits on every record instead, and also refuses any declared length that
 * is longer than the bytes left in the record, whatever the limits say.
 */
public record ReaderLimits(int maxStringLength, int maxBytesLength, int maxCollectionItems)
        implements Serializable {

    /** The largest array the JVM can allocate; Avro's own ceiling. */
    public static final int VM_LIMIT = Integer.MAX_VALUE - 8;

    /** No limit beyond the size of the record itself. */
    public static final ReaderLimits NONE = new ReaderLimits(VM_LIMIT, VM_LIMIT, VM_LIMIT);

    public ReaderLimits {
        requirePositive("maxStringLength", maxStringLength);
        requirePositive("maxBytesLength", maxBytesLength);
        requirePositive("maxCollectionItems", maxCollectionItems);
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
