package io.scorestream.jobs.bench;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.kafka.KafkaConnectors;
import io.scorestream.jobs.kafka.RawRecordDeserializer;
import io.scorestream.jobs.local.LocalFlinkCluster;
import io.scorestream.operators.ingest.RawRecord;
import java.time.Duration;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka → Flink → Kafka, exactly-once, on the embedded broker. Throughput: the steady rate at which
 * the job turns a prefilled topic into output. Latency: a producer at half that rate and a
 * read_committed consumer measuring visibility.
 */
final class KafkaCases {

    /** Adds a job's body between its Kafka source and its output topic. */
    @FunctionalInterface
    private interface JobBody {
        void build(DataStream<RawRecord> records, String outputTopic, String runId);
    }

    private final EmbeddedKafka kafka;
    private final LocalFlinkCluster flink;
    private final Configuration flinkConf;
    private final Configuration scoringConf;
    private final int parallelism;
    private final BenchTimings timings;
    private final long prefill;
    private final String model;
    private int runs;
    private String lastRunId;

    KafkaCases(
            EmbeddedKafka kafka,
            LocalFlinkCluster flink,
            Configuration flinkConf,
            Configuration scoringConf,
            int parallelism,
            BenchTimings timings,
            long prefill) {
        this.kafka = kafka;
        this.flink = flink;
        this.flinkConf = flinkConf;
        this.scoringConf = scoringConf;
        this.parallelism = parallelism;
        this.timings = timings;
        this.prefill = prefill;
        this.model = scoringConf.get(ScoringOptions.MODEL_NAME);
    }

    /** Raw records copied through Flink with exactly-once: what Kafka and Flink cost alone. */
    BenchResult copy() throws Exception {
        return run("kafka-copy", this::copyBody, OutputWatcher::copiedRecordEventTime);
    }

    /** The framework's ceiling: the whole job with exactly-once, but no model. */
    BenchResult passthrough() throws Exception {
        return run(
                "passthrough-kafka",
                scoringBody(BaselineStages.noModel()),
                OutputWatcher.predictionEventTime());
    }

    /** The whole scoring job against Kafka. */
    BenchResult scoring() throws Exception {
        return run(
                "scorestream-kafka",
                scoringBody(ScoringPipeline.microBatchedAsync()),
                OutputWatcher.predictionEventTime());
    }

    private BenchResult run(
            String caseName, JobBody body, ToLongFunction<ConsumerRecord<byte[], byte[]>> eventTime)
            throws Exception {
        double rowsPerSecond = fullSpeed(caseName, body);

        String input = createTopics(caseName, "half");
        JobID job = submit(body, caseName, "half");
        try (OutputWatcher visible =
                        OutputWatcher.committed(
                                kafka.bootstrapServers(), output(caseName, "half"), eventTime);
                BenchProducer producer = new BenchProducer(kafka.bootstrapServers())) {
            flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
            visible.measureLatencyFrom(System.currentTimeMillis() + timings.warmup().toMillis());
            producer.streamAt(input, rowsPerSecond / 2, timings.warmup().plus(timings.measure()));
            // Let the last checkpoints commit what was produced.
            Thread.sleep(2 * checkpointInterval().toMillis() + 500);
            return new BenchResult(
                    caseName,
                    model,
                    rowsPerSecond,
                    visible.percentileMillis(0.50),
                    visible.percentileMillis(0.99),
                    "event to read_committed consumer, at 50 % load");
        } finally {
            flink.cancel(job);
        }
    }

    /**
     * Steady-state throughput: the job works through a prefilled topic; its output is counted as it
     * is written (read_uncommitted), and the rate is taken between 20 % and 80 % of the records, so
     * neither start-up nor the final commit is in it.
     */
    private double fullSpeed(String caseName, JobBody body) throws Exception {
        String input = createTopics(caseName, "full");
        try (BenchProducer producer = new BenchProducer(kafka.bootstrapServers())) {
            producer.fill(input, prefill);
        }
        JobID job = submit(body, caseName, "full");
        try (OutputWatcher written =
                OutputWatcher.uncommitted(kafka.bootstrapServers(), output(caseName, "full"))) {
            Duration timeout = Duration.ofMinutes(10);
            long at20 = written.awaitCount(prefill / 5, timeout);
            long at80 = written.awaitCount(prefill * 4 / 5, timeout);
            return (prefill * 3 / 5) / ((at80 - at20) / 1e9);
        } finally {
            flink.cancel(job);
        }
    }

    /**
     * The scoring job under {@code factor} × its capacity for {@code burst}: samples consumer lag,
     * completed checkpoints and live heap (after GC) every second, then times the drain.
     */
    OverloadReport overload(double capacity, double factor, Duration burst) throws Exception {
        String caseName = "overload";
        String input = createTopics(caseName, "burst");
        JobID job = submit(scoringBody(ScoringPipeline.microBatchedAsync()), caseName, "burst");
        String group = lastRunId;
        long heapBefore;
        long heapMax = 0;
        long maxLag = 0;
        long checkpointsAtStart;
        long checkpointsAtEnd;
        double drainSeconds = Double.NaN;
        double consumed;
        try (BenchProducer producer = new BenchProducer(kafka.bootstrapServers());
                ConsumerLag lag = new ConsumerLag(kafka.bootstrapServers())) {
            flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
            heapBefore = LiveHeap.megabytes();
            checkpointsAtStart = flink.completedCheckpoints(job);
            Thread burster =
                    new Thread(
                            () -> {
                                try {
                                    producer.streamAt(input, capacity * factor, burst);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "bench-overload-producer");
            long started = System.nanoTime();
            burster.start();
            while (burster.isAlive()) {
                Thread.sleep(1_000);
                heapMax = Math.max(heapMax, LiveHeap.megabytes());
                maxLag = Math.max(maxLag, lag.of(group, input));
            }
            double burstSeconds = (System.nanoTime() - started) / 1e9;
            long produced = (long) (capacity * factor * burst.toSeconds());
            long lagAtEnd = lag.of(group, input);
            consumed = (produced - lagAtEnd) / burstSeconds;
            checkpointsAtEnd = flink.completedCheckpoints(job);
            long drainStart = System.nanoTime();
            long drainDeadline = drainStart + burst.multipliedBy(5).toNanos();
            while (System.nanoTime() < drainDeadline) {
                long current = lag.of(group, input);
                maxLag = Math.max(maxLag, current);
                heapMax = Math.max(heapMax, LiveHeap.megabytes());
                if (current == 0) {
                    drainSeconds = (System.nanoTime() - drainStart) / 1e9;
                    break;
                }
                Thread.sleep(500);
            }
            return new OverloadReport(
                    model,
                    capacity,
                    capacity * factor,
                    burst.toSeconds(),
                    consumed,
                    maxLag,
                    checkpointsAtEnd - checkpointsAtStart,
                    flink.failedCheckpoints(job),
                    heapBefore,
                    heapMax,
                    drainSeconds);
        } finally {
            flink.cancel(job);
        }
    }

    private JobID submit(JobBody body, String caseName, String phase) throws Exception {
        String runId = "bench-" + caseName + "-" + model + "-" + phase + "-" + runs++;
        lastRunId = runId;
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        env.setParallelism(parallelism);
        KafkaSourceBuilder<RawRecord> source =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(input(caseName, phase))
                        .setGroupId(runId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawRecordDeserializer());
        DataStream<RawRecord> records =
                env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "Kafka events")
                        .uid(ScoringPipeline.Uids.SOURCE);
        body.build(records, output(caseName, phase), runId);
        return flink.submit(env);
    }

    private void copyBody(DataStream<RawRecord> records, String output, String runId) {
        records.sinkTo(
                        KafkaSink.<RawRecord>builder()
                                .setBootstrapServers(kafka.bootstrapServers())
                                .setRecordSerializer(
                                        (record, context, timestamp) ->
                                                new ProducerRecord<>(
                                                        output,
                                                        null,
                                                        timestamp,
                                                        record.key,
                                                        record.value))
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .setTransactionalIdPrefix(runId)
                                .setProperty(
                                        "transaction.timeout.ms",
                                        String.valueOf(
                                                scoringConf
                                                        .get(ScoringOptions.TRANSACTION_TIMEOUT)
                                                        .toMillis()))
                                .build())
                .name("Kafka copy");
    }

    private JobBody scoringBody(ScoringPipeline.InferenceStage inference) {
        return (records, output, runId) -> {
            Configuration conf = new Configuration(scoringConf);
            conf.set(ScoringOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            conf.set(ScoringOptions.PREDICTIONS_TOPIC, output);
            conf.set(ScoringOptions.DEAD_LETTER_TOPIC, output + "-dlq");
            conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, runId);
            ScoringSettings settings = ScoringSettings.from(conf);
            ScoringPipeline.Outputs outputs =
                    new ScoringPipeline(settings).score(records, inference);
            outputs.predictions().sinkTo(KafkaConnectors.predictionSink(settings.kafka()));
            outputs.deadLetters().sinkTo(KafkaConnectors.deadLetterSink(settings.kafka()));
        };
    }

    private String createTopics(String caseName, String phase) throws Exception {
        String output = output(caseName, phase);
        kafka.createTopics(
                parallelism * 2, List.of(input(caseName, phase), output, output + "-dlq"));
        return input(caseName, phase);
    }

    private Duration checkpointInterval() {
        return flinkConf.get(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTING_INTERVAL);
    }

    private String input(String caseName, String phase) {
        return "bench-" + caseName + "-" + model + "-" + phase + "-in";
    }

    private String output(String caseName, String phase) {
        return "bench-" + caseName + "-" + model + "-" + phase + "-out";
    }
}
