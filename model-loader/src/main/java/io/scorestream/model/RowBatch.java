package io.scorestream.model;

/**
 * The translator's input: {@code rows} flattened rows of one model input, row-major, and the shape
 * of one row. Owned by the caller's thread for the duration of one predict call.
 */
final class RowBatch {

    private final float[] values;
    private final int rows;
    private final long[] rowShape;

    RowBatch(float[] values, int rows, long[] rowShape) {
        this.values = values;
        this.rows = rows;
        this.rowShape = rowShape;
    }

    float[] values() {
        return values;
    }

    int rows() {
        return rows;
    }

    /** {@code [rows, ...rowShape]}. */
    long[] batchShape() {
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return shape;
    }
}
