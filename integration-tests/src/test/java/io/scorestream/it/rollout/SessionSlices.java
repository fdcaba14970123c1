package io.scorestream.it.rollout;

import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.schemas.InferenceEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts every session into consecutive slices, one per phase of a test, so each session has events
 * in every phase and its state carries from one phase (and one model version) to the next.
 */
final class SessionSlices {

    private SessionSlices() {}

    /**
     * The events of each phase: slice {@code i} holds, of every session, its events from {@code
     * size * i / phases} up to (not including) {@code size * (i + 1) / phases}, in order. Sessions
     * have at least four events, so up to four phases each get at least one of every session.
     */
    static List<List<InferenceEvent>> of(List<SyntheticSession> sessions, int phases) {
        List<List<InferenceEvent>> slices = new ArrayList<>();
        for (int phase = 0; phase < phases; phase++) {
            List<InferenceEvent> slice = new ArrayList<>();
            for (SyntheticSession session : sessions) {
                List<InferenceEvent> events = session.events();
                int size = events.size();
                slice.addAll(events.subList(size * phase / phases, size * (phase + 1) / phases));
            }
            slices.add(slice);
        }
        return slices;
    }
}
