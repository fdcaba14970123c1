package io.scorestream.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestBundlerTest {

    private OneInputStreamOperatorTestHarness<InferenceRequest, RequestBundle> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void open(int maxSize, Duration maxDelay) throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new RequestBundler(maxSize, maxDelay),
                        TypeInformation.of(InferenceRequest.class)
                                .createSerializer(new SerializerConfigImpl()));
        harness.setProcessingTime(1_000);
        harness.open();
    }

    @Test
    void aFullBundleLeavesAtOnceInArrivalOrder() throws Exception {
        open(3, Duration.ofSeconds(1));
        for (int i = 0; i < 7; i++) {
            harness.processElement(request("e" + i), 10 + i);
        }
        assertThat(bundles()).containsExactly(List.of("e0", "e1", "e2"), List.of("e3", "e4", "e5"));
        assertThat(timestamps()).containsExactly(12L, 15L);
    }

    @Test
    void aPartlyFilledBundleLeavesWhenItsFirstRequestHasWaitedTheDelay() throws Exception {
        open(16, Duration.ofMillis(2));
        harness.processElement(request("a"), 1);
        harness.setProcessingTime(1_001);
        harness.processElement(request("b"), 2);
        assertThat(bundles()).isEmpty();

        harness.setProcessingTime(1_002);
        assertThat(bundles()).containsExactly(List.of("a", "b"));

        // The next bundle gets its own timer, counted from its own first request.
        harness.processElement(request("c"), 3);
        harness.setProcessingTime(1_003);
        assertThat(bundles()).hasSize(1);
        harness.setProcessingTime(1_004);
        assertThat(bundles()).containsExactly(List.of("a", "b"), List.of("c"));
    }

    @Test
    void aTimerOfABundleThatLeftFullDoesNotCutTheNextOneShort() throws Exception {
        open(2, Duration.ofMillis(5));
        harness.processElement(request("a"), 1);
        harness.processElement(request("b"), 2); // full: leaves, its timer stays registered
        harness.setProcessingTime(1_003);
        harness.processElement(request("c"), 3);
        harness.setProcessingTime(1_005); // the first bundle's timer fires
        assertThat(bundles()).containsExactly(List.of("a", "b"));
        harness.setProcessingTime(1_008);
        assertThat(bundles()).containsExactly(List.of("a", "b"), List.of("c"));
    }

    @Test
    void withoutDelayEveryRequestLeavesAlone() throws Exception {
        open(16, Duration.ZERO);
        harness.processElement(request("a"), 1);
        harness.processElement(request("b"), 2);
        assertThat(bundles()).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void requestsLeaveBeforeAWatermarkAndHoldNothingAcrossACheckpoint() throws Exception {
        open(16, Duration.ofSeconds(10));
        harness.processElement(request("a"), 1);
        harness.processWatermark(new Watermark(5));
        assertThat(harness.getOutput()).hasSize(2);
        assertThat(harness.getOutput().peek()).isInstanceOf(StreamRecord.class);

        harness.processElement(request("b"), 6);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(bundles()).containsExactly(List.of("a"), List.of("b"));
        assertThat(harness.snapshot(1, 2_000).getManagedOperatorState()).isEmpty();

        harness.processElement(request("c"), 7);
        harness.endInput();
        assertThat(bundles()).containsExactly(List.of("a"), List.of("b"), List.of("c"));
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new RequestBundler(0, Duration.ZERO))
                .hasMessageContaining("maxSize");
        assertThatThrownBy(() -> new RequestBundler(4, Duration.ofMillis(-1)))
                .hasMessageContaining("maxDelay");
    }

    private static InferenceRequest request(String eventId) {
        InferenceRequest request = new InferenceRequest();
        request.eventId = eventId;
        return request;
    }

    private List<List<String>> bundles() {
        List<List<String>> bundles = new ArrayList<>();
        for (RequestBundle bundle : harness.extractOutputValues()) {
            List<String> ids = new ArrayList<>();
            for (InferenceRequest request : bundle.requests) {
                ids.add(request.eventId);
            }
            bundles.add(ids);
        }
        return bundles;
    }

    private List<Long> timestamps() {
        List<Long> timestamps = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof StreamRecord<?> record) {
                timestamps.add(record.getTimestamp());
            }
        }
        return timestamps;
    }
}
