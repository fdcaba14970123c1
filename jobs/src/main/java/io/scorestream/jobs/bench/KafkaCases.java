package io.scorestream.jobs.bench;

import io.scorestream.jobs.ScoringPipeline;
import io.scorestream.jobs.config.OutputOrder;
import io.scorestream.jobs.config.ScoringOptions;
import io.scorestream.jobs.config.ScoringSettings;
import io.scorestream.jobs.embedded.EmbeddedKafka;
import io.scorestream.jobs.kafka.KafkaConnectors;
import io.scorestream.jobs.kafka.RawRecordDeserializer;
import io.scorestream.jobs.local.LocalFlinkCluster;
import io.scorestream.operators.ingest.RawRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Kafka → contender → Kafka on the embedded broker, where a contender is a Flink job (exactly-once)
 * or the Python peer. Throughput: a prefilled topic of {@link LiveSessions} traffic worked through
 * at full speed, timed by tenths ({@link Drain}). Latency: a producer at half that rate and a
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
    private final long events;
    private final int liveSessions;
    private final String model;
    private final List<Drain> drains = new ArrayList<>();
    private int runs;

    /**
     * @param events events each case works through at full speed
     * @param liveSessions sessions open at once in the traffic
     */
    KafkaCases(
            EmbeddedKafka kafka,
            LocalFlinkCluster flink,
            Configuration flinkConf,
            Configuration scoringConf,
            int parallelism,
            BenchTimings timings,
            long events,
            int liveSessions) {
        this.kafka = kafka;
        this.flink = flink;
        this.flinkConf = flinkConf;
        this.scoringConf = scoringConf;
        this.parallelism = parallelism;
        this.timings = timings;
        this.events = events;
        this.liveSessions = liveSessions;
        this.model = scoringConf.get(ScoringOptions.MODEL_NAME);
    }

    /** The drains of the cases run so far. */
    List<Drain> drains() {
        return List.copyOf(drains);
    }

    /** Raw records copied through Flink with exactly-once: what Kafka and Flink cost alone. */
    BenchResult copy() throws Exception {
        return run("kafka-copy", job(this::copyBody), OutputWatcher::copiedRecordEventTime);
    }

    /** The framework's ceiling: the whole job with exactly-once, but no model. */
    BenchResult passthrough() throws Exception {
        return run(
                "passthrough-kafka",
                job(scoringBody(BaselineStages.noModel(), scoringConf)),
                OutputWatcher.predictionEventTime());
    }

    /** The whole scoring job against Kafka. */
    BenchResult scoring() throws Exception {
        return run(
                "scorestream-kafka",
                job(scoringBody(ScoringPipeline.microBatchedAsync(), scoringConf)),
                OutputWatcher.predictionEventTime());
    }

    /** The whole scoring job with every session's predictions in event order. */
    BenchResult scoringPerKeyOrdered() throws Exception {
        Configuration ordered = new Configuration(scoringConf);
        ordered.set(ScoringOptions.OUTPUT_ORDER, OutputOrder.PER_KEY);
        return run(
                "scorestream-kafka-ordered",
                job(scoringBody(ScoringPipeline.microBatchedAsync(), ordered)),
                OutputWatcher.predictionEventTime());
    }

    /**
     * The Python peer on the same traffic: its predictions are visible as soon as they are produced
     * (no transactions), and its Kafka timestamp is the event's time.
     *
     * @throws PythonPeer.Skipped when the peer cannot run here
     */
    BenchResult peer(PythonPeer.Launch launch) throws Exception {
        return run(
                "peer-python",
                PythonPeer.contender(launch, kafka.bootstrapServers()),
                OutputWatcher::copiedRecordEventTime);
    }

    private BenchResult run(
            String caseName,
            Contender contender,
            ToLongFunction<ConsumerRecord<byte[], byte[]>> eventTime)
            throws Exception {
        Drain drain = drain(caseName, contender);
        drains.add(drain);
        double rowsPerSecond = drain.steady();

        String input = createTopics(caseName, "half");
        try (OutputWatcher visible =
                        OutputWatcher.committed(
                                kafka.bootstrapServers(), output(caseName, "half"), eventTime);
                BenchProducer producer = new BenchProducer(kafka.bootstrapServers(), liveSessions);
                Contender.Running running =
                        contender.start(input, output(caseName, "half"), runId(caseName, "half"))) {
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
                    caseName.equals("peer-python")
                            ? "event to consumer (no transactions), at 50 % load"
                            : "event to read_committed consumer, at 50 % load");
        }
    }

    /**
     * The contender works through a prefilled topic; its output is counted as it is written
     * (read_uncommitted) and timed at 1 %, 10 %, 20 % ... 100 %. What it holds is taken at the end,
     * before it stops.
     */
    private Drain drain(String caseName, Contender contender) throws Exception {
        String input = createTopics(caseName, "full");
        long sessions;
        try (BenchProducer producer = new BenchProducer(kafka.bootstrapServers(), liveSessions)) {
            producer.fill(input, events);
            sessions = producer.distinctSessions();
        }
        long[] thresholds = new long[11];
        thresholds[0] = Math.max(1, events / 100);
        for (int k = 1; k <= 10; k++) {
            thresholds[k] = k * events / 10;
        }
        String output = output(caseName, "full");
        logAppendTimes(output);
        try (OutputWatcher written = OutputWatcher.uncommitted(kafka.bootstrapServers(), output);
                Contender.Running running =
                        contender.start(input, output, runId(caseName, "full"))) {
            // A drain that stalls for this long has failed (the slowest seen: 16 000 events/s).
            written.awaitCount(events, Duration.ofMinutes(2));
            StateSize state = running.state();
            long[] marks = written.appendedBy(thresholds);
            for (int k = 0; k < marks.length; k++) {
                marks[k] = TimeUnit.MILLISECONDS.toNanos(marks[k]);
            }
            return Drain.of(caseName, model, events, sessions, liveSessions, marks, state);
        }
    }

    /**
     * Makes the broker stamp {@code topic}'s records with the time it appends them: the drain is
     * timed by when the contender wrote, not by when the bench's consumer got to read it.
     */
    private void logAppendTimes(String topic) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            admin.incrementalAlterConfigs(
                            Map.of(
                                    new ConfigResource(ConfigResource.Type.TOPIC, topic),
                                    List.of(
                                            new AlterConfigOp(
                                                    new ConfigEntry(
                                                            "message.timestamp.type",
                                                            "LogAppendTime"),
                                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
    }

    /** A Flink job as a contender: submitted, awaited until every task runs, cancelled on close. */
    private Contender job(JobBody body) {
        return (input, output, runId) -> {
            JobID job = submit(body, input, output, runId);
            try {
                flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
            } catch (Exception e) {
                flink.cancel(job);
                throw e;
            }
            return new Contender.Running() {
                @Override
                public StateSize state() throws Exception {
                    return StateSize.ofFlink(
                            SessionStateGauges.sum(SessionStateGauges.KEYS),
                            SessionStateGauges.sum(SessionStateGauges.LIVE_BYTES),
                            flink.latestCheckpointSize(job));
                }

                @Override
                public void close() throws Exception {
                    flink.cancel(job);
                }
            };
        };
    }

    /**
     * The scoring job under {@code factor} × its capacity for {@code burst}: samples consumer lag,
     * completed checkpoints and live heap (after GC) every second, then times the drain.
     */
    OverloadReport overload(double capacity, double factor, Duration burst) throws Exception {
        String caseName = "overload";
        String input = createTopics(caseName, "burst");
        String group = runId(caseName, "burst");
        JobID job =
                submit(
                        scoringBody(ScoringPipeline.microBatchedAsync(), scoringConf),
                        input,
                        output(caseName, "burst"),
                        group);
        long heapBefore;
        long heapMax = 0;
        long maxLag = 0;
        long checkpointsAtStart;
        long checkpointsAtEnd;
        double drainSeconds = Double.NaN;
        double consumed;
        try (BenchProducer producer = new BenchProducer(kafka.bootstrapServers(), liveSessions);
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

    /** A fresh id per run: the consumer group and the transactional id prefix. */
    private String runId(String caseName, String phase) {
        return "bench-" + caseName + "-" + model + "-" + phase + "-" + runs++;
    }

    private JobID submit(JobBody body, String input, String output, String runId) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        env.setParallelism(parallelism);
        KafkaSourceBuilder<RawRecord> source =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(input)
                        .setGroupId(runId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawRecordDeserializer());
        DataStream<RawRecord> records =
                env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "Kafka events")
                        .uid(ScoringPipeline.Uids.SOURCE);
        body.build(records, output, runId);
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

    private JobBody scoringBody(ScoringPipeline.InferenceStage inference, Configuration caseConf) {
        return (records, output, runId) -> {
            Configuration conf = new Configuration(caseConf);
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
