package io.scorestream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Turns a whole {@link RowBatch} into one float32 tensor of shape {@code [rows, ...rowShape]} and
 * the model's single output tensor back into a flat float array.
 *
 * <p>No DJL batchifier: the caller already hands over a batch. Every NDArray here lives in the
 * context's manager, which DJL's {@code Predictor.batchPredict} creates per call and closes when
 * the call returns (the model's output is attached to the same manager as its input), so repeated
 * predictions leave no native tensors behind.
 */
final class RowBatchTranslator implements NoBatchifyTranslator<RowBatch, float[]> {

    @Override
    public NDList processInput(TranslatorContext ctx, RowBatch input) {
        NDArray array = ctx.getNDManager().create(input.values(), new Shape(input.batchShape()));
        return new NDList(array);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        if (list.size() != 1) {
            throw new IllegalStateException(
                    "expected the model to return one tensor, got " + list.size());
        }
        NDArray output = list.get(0);
        if (output.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException(
                    "expected a float32 output, got "
                            + output.getDataType()
                            + " of shape "
                            + output.getShape());
        }
        return output.toFloatArray();
    }
}
