package io.scorestream.jobs.demo;

import io.scorestream.operators.synthetic.SyntheticSession;
import io.scorestream.operators.synthetic.SyntheticSessions;
import io.scorestream.schemas.AvroCodec;
import io.scorestream.schemas.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes synthetic sessions in real time: each session's events are sent when their event time
 * comes, so the gaps the models learned from are the gaps the job sees. The rate is steered by how
 * many sessions run at once. Records are keyed by session id, so a session stays in one partition
 * and in order.
 */
final class SyntheticEventProducer implements Runnable {

    /** About one event per second per running session (most gaps are 0.2-3 s, fraud is faster). */
    private static final double EVENTS_PER_SESSION_SECOND = 1.2;

    private record Running(SyntheticSession session, int next) {
        long due() {
            return session.events().get(next).getEventTime().toEpochMilli();
        }
    }

    private final Properties producerProperties;
    private final String topic;
    private final SyntheticSessions sessions;
    private final int rate;
    private final Duration duration;
    private final String labelName;
    private final Map<String, Boolean> labels;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    SyntheticEventProducer(
            String bootstrapServers,
            String topic,
            long seed,
            int rate,
            Duration duration,
            String labelName,
            Map<String, Boolean> labels) {
        this.producerProperties = new Properties();
        producerProperties.setProperty("bootstrap.servers", bootstrapServers);
        producerProperties.setProperty("acks", "all");
        producerProperties.setProperty("enable.idempotence", "true");
        // One request in flight per partition: no reordering or lost records on early retries.
        producerProperties.setProperty("max.in.flight.requests.per.connection", "1");
        producerProperties.setProperty("linger.ms", "5");
        this.topic = topic;
        this.sessions = new SyntheticSessions(seed);
        this.rate = rate;
        this.duration = duration;
        this.labelName = labelName;
        this.labels = labels;
    }

    long sent() {
        return sent.get();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    Exception failure() {
        return failure.get();
    }

    @Override
    public void run() {
        AvroCodec<InferenceEvent> codec = AvroCodec.of(InferenceEvent.class);
        PriorityQueue<Running> running =
                new PriorityQueue<>(Comparator.comparingLong(Running::due));
        long start = System.currentTimeMillis();
        long end = start + duration.toMillis();
        double targetSessions = Math.max(1, rate / EVENTS_PER_SESSION_SECOND);
        for (int i = 0; i < targetSessions; i++) {
            // Spread first events over a second so the rate is even from the start.
            running.add(
                    new Running(sessions.next(start + (long) (1000.0 * i / targetSessions)), 0));
        }
        long windowStart = start;
        long windowSent = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerProperties, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (failure.get() == null) {
                long now = System.currentTimeMillis();
                if (now >= end) {
                    break;
                }
                while (!running.isEmpty() && running.peek().due() <= now && now < end) {
                    Running current = running.poll();
                    send(
                            producer,
                            codec,
                            current.session(),
                            current.session().events().get(current.next()));
                    windowSent++;
                    if (current.next() + 1 < current.session().events().size()) {
                        running.add(new Running(current.session(), current.next() + 1));
                    } else if (running.size() < targetSessions) {
                        running.add(new Running(sessions.next(now + 1), 0));
                    }
                }
                if (now - windowStart >= 1000) {
                    // Steer towards the target rate by running more or fewer sessions.
                    double actual = windowSent * 1000.0 / (now - windowStart);
                    double correction =
                            actual == 0 ? 1.25 : Math.max(0.8, Math.min(1.25, rate / actual));
                    targetSessions = Math.max(1, targetSessions * correction);
                    while (running.size() < targetSessions) {
                        running.add(new Running(sessions.next(now + 1), 0));
                    }
                    windowStart = now;
                    windowSent = 0;
                }
                long wait = running.isEmpty() ? 1 : Math.max(0, running.peek().due() - now);
                if (wait > 0) {
                    Thread.sleep(Math.min(wait, 5));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void send(
            KafkaProducer<byte[], byte[]> producer,
            AvroCodec<InferenceEvent> codec,
            SyntheticSession session,
            InferenceEvent event) {
        labels.put(event.getEventId(), session.label(labelName));
        byte[] key = session.sessionId().getBytes(StandardCharsets.UTF_8);
        producer.send(
                new ProducerRecord<>(
                        topic, null, event.getEventTime().toEpochMilli(), key, codec.encode(event)),
                (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
        sent.incrementAndGet();
    }
}
