package io.scorestream.operators.inference;

import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Groups requests into {@link RequestBundle}s for the async inference operator, chained in front of
 * it. A bundle leaves when it is full, when its first request has waited {@code maxDelay}, and
 * always before a watermark and before a checkpoint barrier: this operator holds no state, so a
 * checkpoint finds every request in the async operator's in-flight queue, which Flink snapshots and
 * replays after a restore.
 */
public final class RequestBundler extends AbstractStreamOperator<RequestBundle>
        implements OneInputStreamOperator<InferenceRequest, RequestBundle>,
                BoundedOneInput,
                ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    private final int maxSize;
    private final long maxDelayMillis;

    private transient InferenceRequest[] pending;
    private transient int size;

    /** When the bundle being filled is due. */
    private transient long dueMillis;

    /**
     * Whether a flush timer is set. At most one is: at full load bundles leave full long before it
     * fires, and a timer per bundle would cost a timer-thread wake-up and a mail each.
     */
    private transient boolean timerSet;

    /** The latest element timestamp in the bundle, which its results carry; MIN_VALUE: none. */
    private transient long latestTimestamp;

    /**
     * @param maxSize most requests in one bundle; 1 sends each request alone
     * @param maxDelay how long the first request of a bundle may wait for more (rounded up to whole
     *     milliseconds, the resolution of Flink's processing-time timers)
     */
    public RequestBundler(int maxSize, Duration maxDelay) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be positive: " + maxSize);
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative: " + maxDelay);
        }
        this.maxSize = maxSize;
        this.maxDelayMillis = (maxDelay.toNanos() + 999_999) / 1_000_000;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new InferenceRequest[maxSize];
        latestTimestamp = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<InferenceRequest> element) {
        pending[size++] = element.getValue();
        if (element.hasTimestamp()) {
            latestTimestamp = Math.max(latestTimestamp, element.getTimestamp());
        }
        if (size == maxSize || maxDelayMillis == 0) {
            flush();
        } else if (size == 1) {
            dueMillis = getProcessingTimeService().getCurrentProcessingTime() + maxDelayMillis;
            if (!timerSet) {
                setTimer();
            }
        }
    }

    /** Flushes a bundle that is due; for one that is not yet (a later one), waits for it. */
    @Override
    public void onProcessingTime(long time) {
        timerSet = false;
        if (size == 0) {
            return;
        }
        if (time >= dueMillis) {
            flush();
        } else {
            setTimer();
        }
    }

    private void setTimer() {
        timerSet = true;
        getProcessingTimeService().registerTimer(dueMillis, this);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush(); // the async operator holds a watermark back until the requests before it end
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        flush(); // before the async operator, next in the chain, waits for its in-flight bundles
    }

    private void flush() {
        if (size == 0) {
            return;
        }
        InferenceRequest[] requests = Arrays.copyOf(pending, size);
        Arrays.fill(pending, 0, size, null);
        size = 0;
        RequestBundle bundle = new RequestBundle(requests);
        output.collect(
                latestTimestamp == Long.MIN_VALUE
                        ? new StreamRecord<>(bundle)
                        : new StreamRecord<>(bundle, latestTimestamp));
        latestTimestamp = Long.MIN_VALUE;
    }
}
