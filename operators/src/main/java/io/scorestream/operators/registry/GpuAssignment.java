package io.scorestream.operators.registry;

import java.util.Collection;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * The GPU Flink assigned to this TaskManager through its GPU external resource ({@code
 * external-resources: gpu}, {@code external-resource.gpu.*}): the GPU driver reports each GPU it
 * discovered as an {@link ExternalResourceInfo} with an {@code index} property.
 *
 * <p>All slots of a TaskManager share one model copy per device, so when Flink assigned several
 * GPUs the lowest index is used; name another with {@code gpu:<index>}.
 */
public final class GpuAssignment {

    /**
     * The resource name of Flink's GPU plugin in the configuration ({@code external-resources}).
     */
    public static final String RESOURCE_NAME = "gpu";

    /** The property of the GPU plugin's resource info that holds the device index. */
    public static final String INDEX_PROPERTY = "index";

    private GpuAssignment() {}

    /** The index of the GPU Flink assigned, or empty when Flink has no GPU resource configured. */
    public static OptionalInt fromRuntimeContext(RuntimeContext context) {
        return lowestIndex(context.getExternalResourceInfos(RESOURCE_NAME));
    }

    /**
     * The lowest {@code index} among {@code infos}; empty when there is none.
     *
     * @throws IllegalStateException when an index is not a non-negative number
     */
    static OptionalInt lowestIndex(Collection<ExternalResourceInfo> infos) {
        OptionalInt lowest = OptionalInt.empty();
        for (ExternalResourceInfo info : infos) {
            Optional<String> text = info.getProperty(INDEX_PROPERTY);
            if (text.isEmpty()) {
                continue;
            }
            int index;
            try {
                index = Integer.parseInt(text.get().strip());
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new IllegalStateException(
                        "Flink's "
                                + RESOURCE_NAME
                                + " external resource reports GPU index '"
                                + text.get()
                                + "', which is not a device number");
            }
            if (lowest.isEmpty() || index < lowest.getAsInt()) {
                lowest = OptionalInt.of(index);
            }
        }
        return lowest;
    }
}
