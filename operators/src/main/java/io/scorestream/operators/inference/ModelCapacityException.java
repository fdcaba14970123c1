package io.scorestream.operators.inference;

import io.scorestream.model.ModelException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Starting one more inference service would exceed the bound on model versions resident in this JVM
 * ({@value #SETTING}). The message names the setting and what is resident.
 */
public final class ModelCapacityException extends ModelException {

    private static final long serialVersionUID = 1L;

    /** The setting that bounds resident model versions. */
    public static final String SETTING = "scorestream.model.max-resident";

    ModelCapacityException(
            InferenceServices.Key refused,
            int maxResident,
            Map<InferenceServices.Key, Integer> users) {
        super(
                "cannot load "
                        + describe(refused)
                        + ": "
                        + SETTING
                        + " = "
                        + maxResident
                        + " and "
                        + users.size()
                        + " model versions are resident in this TaskManager: "
                        + users.entrySet().stream()
                                .map(
                                        e ->
                                                describe(e.getKey())
                                                        + " ("
                                                        + e.getValue()
                                                        + (e.getValue() == 1
                                                                ? " user)"
                                                                : " users)"))
                                .collect(Collectors.joining(", "))
                        + ". Raise "
                        + SETTING
                        + ", or let unused versions unload first (scorestream.model.idle-unload)");
    }

    private static String describe(InferenceServices.Key key) {
        return key.model() + " v" + key.version() + " on " + key.device();
    }
}
