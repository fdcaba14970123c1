package io.scorestream.model;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a model runs: the CPU, or one GPU by index. Text form: {@code cpu}, {@code gpu} (GPU 0),
 * {@code gpu:1}.
 *
 * @param kind CPU or GPU
 * @param index the GPU index; always 0 for the CPU
 */
public record DeviceSpec(Kind kind, int index) {

    /** The kind of device. */
    public enum Kind {
        CPU,
        GPU
    }

    private static final String EXPECTED = "expected 'cpu', 'gpu' or 'gpu:<index>'";

    public DeviceSpec {
        Objects.requireNonNull(kind, "kind");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0: " + index);
        }
        if (kind == Kind.CPU && index != 0) {
            throw new IllegalArgumentException("the CPU device has no index: " + index);
        }
    }

    public static DeviceSpec cpu() {
        return new DeviceSpec(Kind.CPU, 0);
    }

    public static DeviceSpec gpu(int index) {
        return new DeviceSpec(Kind.GPU, index);
    }

    /**
     * Parses {@code cpu}, {@code gpu} or {@code gpu:<index>}, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException naming the value when it is none of those
     */
    public static DeviceSpec parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("device is null, " + EXPECTED);
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.equals("cpu")) {
            return cpu();
        }
        if (value.equals("gpu")) {
            return gpu(0);
        }
        if (value.startsWith("gpu:")) {
            String digits = value.substring("gpu:".length());
            if (!digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                try {
                    return gpu(Integer.parseInt(digits));
                } catch (NumberFormatException tooLarge) {
                    // falls through to the common message below
                }
            }
        }
        throw new IllegalArgumentException("invalid device '" + text + "', " + EXPECTED);
    }

    public boolean isGpu() {
        return kind == Kind.GPU;
    }

    /** The text form accepted by {@link #parse}: {@code cpu} or {@code gpu:<index>}. */
    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "gpu:" + index;
    }
}
