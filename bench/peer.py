#!/usr/bin/python3
"""The benchmark's peer: fraud-mlp scored by one hand-written Python process.

What a user might write instead of ScoreStream, doing the same work as the job does for fraud-mlp:
consume the events topic (confluent-kafka), decode each Avro ``InferenceEvent`` (plain Avro binary,
decoded by hand: the schema is small), keep each session's state in a dict and build fraud-mlp's
24-float input with the featurizer of ``models/generate.py`` (the reference implementation of
``models/FEATURE_SPEC.md``, imported, not rewritten), score batches of up to 64 events with the
TorchScript model on one thread, and produce one JSON prediction per event to the output topic
(keyed by session id, the Kafka timestamp set to the event's time).

What it does not do, by design of a simple script (and what ScoreStream does):
- no exactly-once: offsets are auto-committed on a timer, predictions are produced without
  transactions, so a crash can score events twice or skip them; ScoreStream commits predictions
  and offsets together with each checkpoint;
- session state lives only in this process's memory: it is lost on a crash or restart, is never
  expired (grows with every session ever seen) and cannot be rescaled; ScoreStream keeps it in
  RocksDB, checkpointed, with a TTL;
- no validation or dead letters: an undecodable or invalid event raises and stops the script;
- one model version, no rollouts, no timeouts, fallback or circuit breaker, no metrics;
- the whole session featurizer runs per event, as the job's does: it also keeps the ring of recent
  steps (and builds the sequence input, which fraud-mlp does not use).

Run it through ``bench/peer.sh``, which installs Debian's packages if they are missing; the bench
(``scorestream bench --cases peer-python``) starts it. It prints ``READY`` once its consumer has
its partitions, and ``PEER ...`` counts when stopped (SIGTERM/SIGINT).
"""

import argparse
import json
import os
import signal
import struct
import sys

EXIT_SKIPPED = 3


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--input", required=True, help="events topic")
    parser.add_argument("--output", required=True, help="predictions topic")
    parser.add_argument("--group", required=True, help="consumer group id")
    parser.add_argument("--model", required=True, help="fraud-mlp's model.pt (TorchScript)")
    parser.add_argument("--version", default="?", help="the model's version, for the output")
    parser.add_argument("--models-dir", required=True,
                        help="the models/ folder holding generate.py (the featurizer)")
    parser.add_argument("--batch", type=int, default=64, help="events per model call")
    return parser.parse_args(argv)


class Reader:
    """Avro binary decoding of the fields of InferenceEvent the scorer needs, in schema order."""

    __slots__ = ("buf", "pos")

    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def long(self):
        buf, pos = self.buf, self.pos
        b = buf[pos]
        pos += 1
        n = b & 0x7F
        shift = 7
        while b & 0x80:
            b = buf[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
        self.pos = pos
        return (n >> 1) ^ -(n & 1)

    def string(self):
        length = self.long()
        start = self.pos
        self.pos = start + length
        return self.buf[start:self.pos].decode("utf-8")

    def optional_string(self):
        return self.string() if self.long() == 1 else None

    def floats(self):
        values = []
        while True:
            count = self.long()
            if count == 0:
                return values
            if count < 0:
                count = -count
                self.long()  # the block's size in bytes
            values.extend(struct.unpack_from("<%df" % count, self.buf, self.pos))
            self.pos += 4 * count


def decode(value):
    """(event_id, session_id, event_type, event_time_ms, features) of an InferenceEvent."""
    r = Reader(value)
    event_id = r.string()
    session_id = r.optional_string()
    r.optional_string()  # user id
    event_type = r.string()
    event_time = r.long()
    features = r.floats()
    # attributes (a nullable map) follow; the scorer does not read them
    return event_id, session_id, event_type, event_time, features


def main(argv=None):
    args = parse_args(argv)
    try:
        import torch
        from confluent_kafka import Consumer, Producer, KafkaError
    except ImportError as missing:
        print("SKIP: the Python peer needs python3-torch and python3-confluent-kafka: %s"
              % missing, flush=True)
        return EXIT_SKIPPED
    sys.path.insert(0, os.path.abspath(args.models_dir))
    try:
        import generate
    except ImportError as missing:
        print("SKIP: no featurizer: %s/generate.py: %s" % (args.models_dir, missing), flush=True)
        return EXIT_SKIPPED

    torch.set_num_threads(1)
    model = torch.jit.load(args.model)
    model.eval()
    type_index = {name: i for i, name in enumerate(generate.EVENT_TYPES)}
    featurizer = generate.SessionFeaturizer
    sessions = {}

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
    })
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "linger.ms": 5,
        "queue.buffering.max.messages": 1000000,
    })
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # Fetch the output topic's metadata before consuming: until the producer has it, it queues
    # what it is given and sends it all at once later, which would misstate the peer's pace.
    producer.list_topics(topic=args.output, timeout=30)

    def on_assign(c, partitions):
        print("READY partitions=%d" % len(partitions), flush=True)

    consumer.subscribe([args.input], on_assign=on_assign)
    scored = 0
    output = args.output
    version = args.version
    with torch.no_grad():
        while not stopping:
            messages = consumer.consume(num_messages=args.batch, timeout=0.1)
            if not messages:
                producer.poll(0)
                continue
            rows = []
            meta = []
            for message in messages:
                if message.error():
                    if message.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    raise RuntimeError(message.error())
                event_id, session_id, event_type, event_time, features = decode(message.value())
                state = sessions.get(session_id)
                if state is None:
                    state = sessions[session_id] = featurizer()
                aggregates, _ = state.update(features, type_index[event_type], event_time)
                rows.append(aggregates)
                meta.append((event_id, session_id, event_time))
            if not rows:
                continue
            scores = model(torch.tensor(rows, dtype=torch.float32)).reshape(-1).tolist()
            for (event_id, session_id, event_time), score in zip(meta, scores):
                value = json.dumps({"event_id": event_id, "session_id": session_id,
                                    "model": "fraud-mlp", "version": version, "score": score})
                while True:
                    try:
                        producer.produce(output, value=value.encode(), key=session_id.encode(),
                                         timestamp=event_time)
                        break
                    except BufferError:
                        producer.poll(0.01)
            producer.poll(0)
            scored += len(rows)
    producer.flush(30)
    consumer.close()
    print("PEER scored=%d sessions=%d" % (scored, len(sessions)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
