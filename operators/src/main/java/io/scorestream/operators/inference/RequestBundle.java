package io.scorestream.operators.inference;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Requests that travel through the async operator together: one queue entry, one timeout timer, one
 * checkpointed element and one hand-back to the task thread for all of them, instead of one each.
 * The micro-batching service still forms its batches from single rows, across bundles and subtasks.
 *
 * <p>Not changed once built: Flink hands the same bundle on instead of copying it (see {@link
 * RequestBundleSerializer}).
 */
@TypeInfo(RequestBundleTypeInfo.Factory.class)
public class RequestBundle {
    public InferenceRequest[] requests;

    public RequestBundle() {}

    public RequestBundle(InferenceRequest[] requests) {
        this.requests = requests;
    }

    @Override
    public String toString() {
        return "RequestBundle" + Arrays.toString(requests);
    }
}
