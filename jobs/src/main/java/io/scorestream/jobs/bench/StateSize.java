package io.scorestream.jobs.bench;

/**
 * What a contender held at the end of a drain. Flink: RocksDB's estimates for the session state and
 * the latest checkpoint's full size; the Python peer: its process's peak resident memory. -1: not
 * known for this contender.
 *
 * @param keys RocksDB's estimate of the session keys (live sessions)
 * @param liveBytes RocksDB's estimate of the session state's live data
 * @param checkpointBytes the full size of the latest completed checkpoint (all operators)
 * @param peakRssBytes the peak resident memory of the peer's process
 */
record StateSize(long keys, long liveBytes, long checkpointBytes, long peakRssBytes) {

    static StateSize ofFlink(long keys, long liveBytes, long checkpointBytes) {
        return new StateSize(keys, liveBytes, checkpointBytes, -1);
    }

    static StateSize ofProcess(long peakRssBytes) {
        return new StateSize(-1, -1, -1, peakRssBytes);
    }
}
