package io.scorestream.jobs.local;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * RocksDB's memory in a Flink inside this JVM ({@code run}, {@code demo}, {@code bench}).
 *
 * <p>RocksDB keeps its block cache and write buffers in Flink's managed memory, shared by the
 * RocksDB instances of a slot. Flink gives a local cluster 128 MB of managed memory in all: with
 * hundreds of thousands of sessions (about 1 KB of state each) the session state outgrows the
 * cache, and every event reads and writes through to the files (a drain of 3.9 M events of 280 000
 * sessions fell from 54 000 to 16 000-19 000 events/s). The README's "Memory for session state"
 * gives the rule; a local cluster gets {@link #PER_SLOT} per slot unless {@code
 * taskmanager.memory.managed.size} is set.
 */
public final class LocalMemory {

    /** Managed memory per slot: RocksDB's block cache and write buffers for ~1 M sessions. */
    public static final MemorySize PER_SLOT = MemorySize.parse("512m");

    private LocalMemory() {}

    /**
     * The slots of the cluster Flink starts in this JVM for a job without a cluster: the job's
     * default parallelism, or one per core.
     */
    public static int localSlots(Configuration conf) {
        return conf.getOptional(CoreOptions.DEFAULT_PARALLELISM)
                .orElse(StreamExecutionEnvironment.getDefaultLocalParallelism());
    }

    /**
     * A copy of {@code conf} whose managed memory is {@link #PER_SLOT} for each of {@code slots},
     * unless it sets {@code taskmanager.memory.managed.size} (or a fraction) itself.
     */
    public static Configuration sized(Configuration conf, int slots) {
        Configuration sized = new Configuration(conf);
        if (!conf.contains(TaskManagerOptions.MANAGED_MEMORY_SIZE)
                && !conf.contains(TaskManagerOptions.MANAGED_MEMORY_FRACTION)) {
            sized.set(
                    TaskManagerOptions.MANAGED_MEMORY_SIZE, PER_SLOT.multiply(Math.max(1, slots)));
        }
        return sized;
    }
}
