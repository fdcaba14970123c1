package io.scorestream.operators.inference;

import io.scorestream.model.EngineChoice;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JVM-wide set of running inference services: one per model version, device and engine, shared
 * by every slot and subtask of a TaskManager, reference-counted, closed with its last user. This is
 * where one model copy per TaskManager comes from.
 *
 * <p>A caller may bound how many services run at once ({@code scorestream.model.max-resident}):
 * joining a running service is always allowed, starting one beyond the bound is refused with a
 * {@link ModelCapacityException}. Services are unloaded when their users release them; {@link
 * ModelResidency} releases the ones an operator has not used for a while.
 */
public final class InferenceServices {

    /**
     * What makes two services the same: the version, where it runs, and which of its artifacts
     * (TorchScript, ONNX) is loaded.
     */
    public record Key(
            String repository, String model, String version, String device, EngineChoice engine) {

        /** The key of a version's primary artifact. */
        public Key(String repository, String model, String version, String device) {
            this(repository, model, version, device, EngineChoice.PRIMARY);
        }
    }

    private static final class Entry {
        final InferenceService service;
        int users;

        Entry(InferenceService service) {
            this.service = service;
        }
    }

    /** Running services in the order they started, for messages. */
    private static final Map<Key, Entry> RUNNING = new LinkedHashMap<>();

    /** How often each service was started in this JVM: a model load each time. */
    private static final Map<Key, Integer> STARTS = new HashMap<>();

    private InferenceServices() {}

    /** A use of a shared service; closing it releases the service. */
    public static final class Lease implements AutoCloseable {
        private final Key key;
        private final InferenceService service;
        private boolean released;

        private Lease(Key key, InferenceService service) {
            this.key = key;
            this.service = service;
        }

        public InferenceService service() {
            return service;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(key);
            }
        }
    }

    /** Joins the service for {@code key}, starting it with {@code factory} if none runs. */
    public static Lease acquire(Key key, Supplier<InferenceService> factory) {
        return acquire(key, factory, Integer.MAX_VALUE);
    }

    /**
     * Joins the service for {@code key}, starting it with {@code factory} if none runs and fewer
     * than {@code maxResident} services run in this JVM.
     *
     * @throws ModelCapacityException when the service would be started beyond the bound; nothing is
     *     loaded then
     */
    public static Lease acquire(Key key, Supplier<InferenceService> factory, int maxResident) {
        if (maxResident < 1) {
            throw new IllegalArgumentException("maxResident must be >= 1: " + maxResident);
        }
        synchronized (RUNNING) {
            Entry entry = RUNNING.get(key);
            if (entry == null) {
                if (RUNNING.size() >= maxResident) {
                    throw new ModelCapacityException(key, maxResident, residentUsers());
                }
                entry = new Entry(factory.get());
                RUNNING.put(key, entry);
                STARTS.merge(key, 1, Integer::sum);
            }
            entry.users++;
            return new Lease(key, entry.service);
        }
    }

    /** Users of the service for {@code key}; zero when none runs. */
    public static int users(Key key) {
        synchronized (RUNNING) {
            Entry entry = RUNNING.get(key);
            return entry == null ? 0 : entry.users;
        }
    }

    /** How many times the service for {@code key} was started (its model loaded) in this JVM. */
    public static int starts(Key key) {
        synchronized (RUNNING) {
            return STARTS.getOrDefault(key, 0);
        }
    }

    /** Services running in this JVM. */
    public static int running() {
        synchronized (RUNNING) {
            return RUNNING.size();
        }
    }

    /** The keys of the services running in this JVM, oldest first, with their users. */
    public static Map<Key, Integer> resident() {
        synchronized (RUNNING) {
            return java.util.Collections.unmodifiableMap(residentUsers());
        }
    }

    private static Map<Key, Integer> residentUsers() {
        Map<Key, Integer> users = new LinkedHashMap<>();
        RUNNING.forEach((key, entry) -> users.put(key, entry.users));
        return users;
    }

    private static void release(Key key) {
        InferenceService toClose = null;
        synchronized (RUNNING) {
            Entry entry = RUNNING.get(key);
            if (entry != null && --entry.users == 0) {
                RUNNING.remove(key);
                toClose = entry.service;
            }
        }
        if (toClose != null) {
            // Outside the lock: closing drains the queue and may take a moment.
            toClose.close();
        }
    }
}
