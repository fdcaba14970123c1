package io.scorestream.operators.time;

/** The time the batching logic reads. Injected so tests move time by hand instead of sleeping. */
public interface Clock {

    /** Monotonic nanoseconds, for deadlines and durations. */
    long nanoTime();

    static Clock system() {
        return System::nanoTime;
    }
}
