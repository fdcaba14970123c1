package io.scorestream.jobs.kafka;

/** Headers {@code replay-dlq} puts on a record it publishes again, which the job's source reads. */
public final class ReplayHeaders {

    /** Where the original was read: {@code topic/partition@offset}, when known. */
    public static final String FROM = "scorestream.replayed-from";

    /**
     * The stage that dead-lettered the original ({@code decode}, {@code validate}, {@code budget},
     * {@code inference}): the session featurizer does not fold an event in again when a stage
     * behind it rejected the original.
     */
    public static final String STAGE = "scorestream.replayed-stage";

    private ReplayHeaders() {}
}
