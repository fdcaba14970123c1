package io.scorestream.jobs.bench;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.SerializableFunction;

/** Discards records after timing them against their event time into a named {@link Recorder}. */
public final class MeasuringSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final String recorder;
    private final SerializableFunction<T, Long> eventTimeMillis;

    public MeasuringSink(String recorder, SerializableFunction<T, Long> eventTimeMillis) {
        this.recorder = recorder;
        this.eventTimeMillis = eventTimeMillis;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Recorder target = Recorder.named(recorder);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                target.record(System.currentTimeMillis() - eventTimeMillis.apply(element));
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
