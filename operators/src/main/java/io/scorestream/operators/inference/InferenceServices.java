package io.scorestream.operators.inference;

import io.scorestream.model.EngineChoice;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-wide set of running inference services: one per model version, device and engine, shared
 * by every slot and subtask of a TaskManager, reference-counted, closed with its last user. This is
 * where one model copy per TaskManager comes from.
 *
 * <p>A service is started on a loader thread, never on the caller's (a task thread) and never under
 * this registry's lock: loading a model takes a second or more, and every subtask of the
 * TaskManager goes through this registry. {@link #acquire} returns at once with a {@link Lease}
 * whose {@link Lease#service()} completes when the model is loaded (or fails with the load's error;
 * the next acquire then loads again).
 *
 * <p>A caller may bound how many services run (or load) at once ({@code
 * scorestream.model.max-resident}): joining a service is always allowed, starting one beyond the
 * bound is refused with a {@link ModelCapacityException}. Services are unloaded when their users
 * release them; {@link ModelResidency} releases the ones an operator has not used for a while.
 */
public final class InferenceServices {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceServices.class);

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

    /** A service loading or running, with its users. */
    private static final class Entry {
        final CompletableFuture<InferenceService> service = new CompletableFuture<>();
        int users;
    }

    /** Services loading or running, in the order they started, for messages. */
    private static final Map<Key, Entry> RUNNING = new LinkedHashMap<>();

    /** How often each service was started in this JVM: a model load each time. */
    private static final Map<Key, Integer> STARTS = new HashMap<>();

    /** Where models load; its idle threads end after a minute. */
    private static final ExecutorService LOADERS =
            new ThreadPoolExecutor(
                    0,
                    Integer.MAX_VALUE,
                    60,
                    TimeUnit.SECONDS,
                    new SynchronousQueue<>(),
                    new LoaderThreads());

    private InferenceServices() {}

    /** A use of a shared service; closing it releases the service. */
    public static final class Lease implements AutoCloseable {
        private final Key key;
        private final Entry entry;
        private final CompletableFuture<InferenceService> service;
        private boolean released;

        private Lease(Key key, Entry entry) {
            this.key = key;
            this.entry = entry;
            this.service = entry.service.copy();
        }

        /** The service once its model is loaded; exceptionally, the load's error. */
        public CompletableFuture<InferenceService> service() {
            return service;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(key, entry);
            }
        }
    }

    /** Joins the service for {@code key}, starting it with {@code factory} if none runs. */
    public static Lease acquire(Key key, Supplier<InferenceService> factory) {
        return acquire(key, factory, Integer.MAX_VALUE);
    }

    /**
     * Joins the service for {@code key}, starting it with {@code factory} on a loader thread if
     * none runs and fewer than {@code maxResident} services run in this JVM. Returns at once.
     *
     * @throws ModelCapacityException when the service would be started beyond the bound; nothing is
     *     loaded then
     */
    public static Lease acquire(Key key, Supplier<InferenceService> factory, int maxResident) {
        if (maxResident < 1) {
            throw new IllegalArgumentException("maxResident must be >= 1: " + maxResident);
        }
        Entry entry;
        boolean start = false;
        synchronized (RUNNING) {
            entry = RUNNING.get(key);
            if (entry == null) {
                if (RUNNING.size() >= maxResident) {
                    throw new ModelCapacityException(key, maxResident, residentUsers());
                }
                entry = new Entry();
                RUNNING.put(key, entry);
                STARTS.merge(key, 1, Integer::sum);
                start = true;
            }
            entry.users++;
        }
        if (start) {
            start(key, entry, factory);
        }
        return new Lease(key, entry);
    }

    private static void start(Key key, Entry entry, Supplier<InferenceService> factory) {
        // The load runs with the caller's context class loader, as it did on the task thread (the
        // job's user code class loader on a cluster).
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        LOADERS.execute(
                () -> {
                    Thread thread = Thread.currentThread();
                    ClassLoader before = thread.getContextClassLoader();
                    thread.setContextClassLoader(classLoader);
                    try {
                        entry.service.complete(factory.get());
                    } catch (Throwable e) { // an Error too: its waiters must hear of it
                        synchronized (RUNNING) {
                            RUNNING.remove(key, entry); // the next acquire loads again
                        }
                        entry.service.completeExceptionally(e);
                    } finally {
                        thread.setContextClassLoader(before);
                    }
                });
    }

    /** Users of the service for {@code key}; zero when none runs. */
    public static int users(Key key) {
        synchronized (RUNNING) {
            Entry entry = RUNNING.get(key);
            return entry == null ? 0 : entry.users;
        }
    }

    /** Whether the service for {@code key} runs with its model loaded. */
    public static boolean loaded(Key key) {
        synchronized (RUNNING) {
            Entry entry = RUNNING.get(key);
            return entry != null
                    && entry.service.isDone()
                    && !entry.service.isCompletedExceptionally();
        }
    }

    /** How many times the service for {@code key} was started (its model loaded) in this JVM. */
    public static int starts(Key key) {
        synchronized (RUNNING) {
            return STARTS.getOrDefault(key, 0);
        }
    }

    /** Services running or loading in this JVM. */
    public static int running() {
        synchronized (RUNNING) {
            return RUNNING.size();
        }
    }

    /** The keys of the services running or loading in this JVM, oldest first, with their users. */
    public static Map<Key, Integer> resident() {
        synchronized (RUNNING) {
            return Collections.unmodifiableMap(residentUsers());
        }
    }

    private static Map<Key, Integer> residentUsers() {
        Map<Key, Integer> users = new LinkedHashMap<>();
        RUNNING.forEach((key, entry) -> users.put(key, entry.users));
        return users;
    }

    private static void release(Key key, Entry entry) {
        synchronized (RUNNING) {
            if (--entry.users > 0) {
                return;
            }
            RUNNING.remove(key, entry);
        }
        // Outside the lock: closing drains the queue and may take a moment.
        CompletableFuture<InferenceService> service = entry.service;
        if (service.isDone()) {
            if (!service.isCompletedExceptionally()) {
                service.join().close();
            }
        } else {
            // Still loading: its loader closes it once it is ready.
            service.thenAccept(InferenceServices::closeUnused);
        }
    }

    private static void closeUnused(InferenceService service) {
        try {
            service.close();
        } catch (RuntimeException e) {
            LOG.warn(
                    "closing {}:{}, released while it loaded, failed",
                    service.manifest().name(),
                    service.manifest().version(),
                    e);
        }
    }

    /** Daemon threads named after what they do. */
    private static final class LoaderThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable load) {
            Thread thread = new Thread(load, "model-loader-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
