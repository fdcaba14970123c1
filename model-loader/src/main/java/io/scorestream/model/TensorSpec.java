package io.scorestream.model;

import java.util.List;
import java.util.Objects;

/**
 * One named input or output tensor of a model.
 *
 * @param name the tensor's name in the manifest
 * @param shape the shape of one row, without the batch dimension; every dimension positive
 * @param dtype the element type; only {@code float32} is supported
 */
public record TensorSpec(String name, List<Integer> shape, String dtype) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = List.copyOf(Objects.requireNonNull(shape, "shape"));
        if (shape.isEmpty()) {
            throw new IllegalArgumentException("tensor '" + name + "' has an empty shape");
        }
        for (int dim : shape) {
            if (dim <= 0) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "' has a non-positive dimension in shape " + shape);
            }
        }
    }

    /** Number of values in one row: the product of {@link #shape()}. */
    public int elementCount() {
        int count = 1;
        for (int dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The shape as DJL wants it, without the batch dimension. */
    long[] shapeAsLongs() {
        return shape.stream().mapToLong(Integer::longValue).toArray();
    }
}
