package io.scorestream.model;

/**
 * Which ONNX Runtime execution provider runs an ONNX model placed on a GPU. Needs the GPU build of
 * ONNX Runtime ({@code com.microsoft.onnxruntime:onnxruntime_gpu}) in place of the CPU one, and for
 * TensorRT, NVIDIA's TensorRT libraries on the node. Ignored for TorchScript models and on the CPU.
 */
public enum OnnxGpuProvider {
    /** ONNX Runtime's CUDA execution provider. */
    CUDA,
    /**
     * ONNX Runtime's TensorRT execution provider (DJL's {@code ortDevice=TensorRT}): TensorRT
     * builds an optimized engine for the model on the first calls, then runs it.
     */
    TENSORRT
}
