package io.scorestream.jobs.config;

/** Where a job that has no checkpointed offsets starts reading its input topic. */
public enum StartingOffsets {
    EARLIEST,
    LATEST,
    COMMITTED_OR_EARLIEST
}
