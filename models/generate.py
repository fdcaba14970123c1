#!/usr/bin/python3
"""Generate ScoreStream's reference models, golden files and checksums.

This script is the single source of everything under ``models/`` except
``FEATURE_SPEC.md`` (which it implements) and ``README.md``. Run it through the
wrapper, which installs Debian's packages when they are missing::

    models/generate.sh            # = /usr/bin/python3 models/generate.py
    models/generate.sh --help

It must run under Debian's ``/usr/bin/python3`` with Debian's ``python3-torch``,
``python3-onnx`` and ``python3-numpy`` (bookworm: torch 1.13.1, onnx 1.12).

What it does, in order:

1. Implements the synthetic event world of FEATURE_SPEC.md: a SplitMix64 PRNG
   (explicit 64-bit masking, bit-identical to Java's ``long`` arithmetic), the
   session generator (features rounded to float32 with numpy) and the session
   featurizer (math in float64, cast to float32 at the end).
2. Generates training sessions from seed 1 and held-out sessions from seed 2.
   Every event is one example: ``fraud-mlp`` sees the 24-float
   ``event_with_session_aggregates`` vector and learns the session's fraud flag,
   ``intent-gru`` sees the [16, 11] ``session_sequence`` and learns the
   session's buyer flag, ``fraud-gru`` (the same network) sees the sequence
   and learns the fraud flag: the large model of the fraud-mlp -> fraud-gru
   cascade.
3. Trains the versions of each model with torch (deterministic: fixed seeds,
   one thread): versions 1 and 2 of fraud-mlp and intent-gru (version 2 uses
   a different init/shuffle seed and more epochs), version 1 of fraud-gru.
4. Writes, per ``models/<name>/<version>/``: ``model.pt`` (TorchScript, one
   batch-first input, sigmoid inside, output [B, 1]), ``model.onnx`` (dynamic
   batch axis, input ``features``/``sequence``, output ``score``),
   ``golden.json`` (first 3 sessions of seed 7, their model inputs and the
   scores of the reloaded TorchScript file) and ``manifest.json``.
5. Writes ``models/synthetic-golden.json`` (first 5 sessions of seed 42 with
   both featurizer layouts) and ``models/SHA256SUMS``.

Session start times: session k of any seed starts at
``1767225600000 + 60000 * k`` epoch milliseconds (training and held-out sets
use the same rule as the golden files).

``--garbage-candidate <dir>`` does none of the above: it only writes a test
fixture, ``<dir>/fraud-mlp/3/`` (see ``write_garbage_candidate``), an untrained
fraud-mlp whose scores all sit near 1, for the live-rollout tests' automatic
rollback. The reference models, golden files and ``SHA256SUMS`` are untouched.

The generated data, golden inputs and golden sessions are bit-for-bit
reproducible; the trained weights are reproducible on the same machine/torch
build (single thread, fixed seeds). Re-running overwrites all outputs;
``--only NAME[,NAME...]`` regenerates only those models and keeps every other
file, and the other lines of ``SHA256SUMS``, as they are.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np

MASK64 = 0xFFFFFFFFFFFFFFFF
GOLDEN_GAMMA = 0x9E3779B97F4A7C15

EVENT_TYPES = ["view", "click", "add_to_cart", "checkout"]
EVENT_FEATURES = ["amount", "dwell", "scroll_depth", "device_risk", "geo_distance", "velocity"]
SEQUENCE_LENGTH = 16
STEP_SIZE = 6 + 4 + 1          # x[0..5], one-hot(type), log1p(gap)
AGG_SIZE = 6 + 4 + 1 + 1 + 6 + 6  # x, one-hot, log1p(n), log1p(gap), mean, max

SESSION_START_MS = 1767225600000  # 2026-01-01T00:00:00Z
SESSION_INTERVAL_MS = 60000

# Type mix of sessions that show purchase intent (B = buyer and shows_intent) and of all others.
TYPE_PROBS_BUYER = [0.40, 0.30, 0.18, 0.12]
TYPE_PROBS_OTHER = [0.55, 0.33, 0.09, 0.03]

TRAIN_SEED = 1
HELDOUT_SEED = 2
GOLDEN_MODEL_SEED = 7
GOLDEN_MODEL_SESSIONS = 3
GOLDEN_SYNTH_SEED = 42
GOLDEN_SYNTH_SESSIONS = 5

MODELS_DIR = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------------------
# Random numbers: SplitMix64
# --------------------------------------------------------------------------------------
class SplitMix64:
    """SplitMix64 over unsigned 64-bit ints; the initial state is the seed itself.

    ``next()`` first adds the golden gamma to the state, then mixes (so the first
    output for seed s is mix(s + 0x9E3779B97F4A7C15)). Java: the same on ``long``
    with ``>>>`` for the shifts.
    """

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + GOLDEN_GAMMA) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def u(self):
        """A double in [0, 1): the top 53 bits times 2**-53 (exact)."""
        return (self.next() >> 11) * (2.0 ** -53)

    def uniform(self, a, b):
        """``a + (b - a) * u()`` in double."""
        return a + (b - a) * self.u()


# --------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------
def _pick_type(r, probs):
    running = 0.0
    for idx, p in enumerate(probs):
        running += p
        if running > r:
            return idx
    return len(probs) - 1


def generate_sessions(seed, count, start_ms=SESSION_START_MS, interval_ms=SESSION_INTERVAL_MS):
    """The first ``count`` sessions of the stream for ``seed`` (FEATURE_SPEC.md, "Sessions").

    Returns a list of dicts: session_id, user_id, fraud, buyer, shows_intent, shows_fraud
    (the last two are hidden draws, never written out), start_ms and events; each
    event has event_id, event_type (name), type_index, event_time (int ms) and features
    (list of 6 numpy float32 values).
    """
    rng = SplitMix64(seed)
    sessions = []
    for k in range(count):
        buyer = rng.u() < 0.3
        fraud = rng.u() < 0.1
        # Drawn for every session, in this order, whatever buyer/fraud are.
        shows_intent = rng.u() >= 0.2
        shows_fraud = rng.u() >= 0.25
        length = 4 + int(math.floor(rng.u() * 21))
        user = "u-%d" % int(math.floor(rng.u() * 10000))
        session_id = "s-%d-%d" % (seed, k)
        start = start_ms + interval_ms * k
        # What shows: a buyer without shows_intent browses like everyone else, a fraudster
        # without shows_fraud looks legitimate. The labels stay the hidden buyer/fraud flags.
        b = buyer and shows_intent
        f = fraud and shows_fraud
        probs = TYPE_PROBS_BUYER if b else TYPE_PROBS_OTHER
        t_ms = start
        events = []
        for i in range(length):
            if i > 0:
                gap_s = rng.uniform(0.02, 0.8) if f else rng.uniform(0.2, 3.0)
                t_ms += int(math.floor(gap_s * 1000.0))
            type_index = _pick_type(rng.u(), probs)
            amount = rng.uniform(0.6, 3.0) if f else rng.uniform(0.1, 2.0)
            dwell = rng.uniform(0.3, 2.0) if b else rng.uniform(0.05, 1.4)
            scroll = rng.uniform(0.25, 1.0) if b else rng.uniform(0.0, 0.85)
            risk = rng.uniform(0.2, 1.0) if f else rng.uniform(0.0, 0.7)
            geo = rng.uniform(0.2, 2.0) if f else rng.uniform(0.0, 1.2)
            vel = rng.uniform(0.4, 2.2) if f else rng.uniform(0.1, 1.6)
            feats = [np.float32(v) for v in (amount, dwell, scroll, risk, geo, vel)]
            events.append({
                "event_id": "%s-%d" % (session_id, i),
                "event_type": EVENT_TYPES[type_index],
                "type_index": type_index,
                "event_time": t_ms,
                "features": feats,
            })
        sessions.append({
            "session_id": session_id,
            "user_id": user,
            "fraud": fraud,
            "buyer": buyer,
            "shows_intent": shows_intent,  # hidden; not written to any JSON output
            "shows_fraud": shows_fraud,    # hidden; not written to any JSON output
            "start_ms": start,
            "events": events,
        })
    return sessions


# --------------------------------------------------------------------------------------
# Featurizer
# --------------------------------------------------------------------------------------
class SessionFeaturizer:
    """Per-session state of FEATURE_SPEC.md, "Session featurizer". All math in double."""

    def __init__(self):
        self.n = 0
        self.sums = [0.0] * 6
        self.maxs = [0.0] * 6
        self.last_time = 0
        self.ring = []  # last SEQUENCE_LENGTH step vectors (lists of doubles), oldest first

    def update(self, features, type_index, time_ms):
        """Consume one event; returns (aggregates[24], sequence[16][11]) as double lists."""
        x = [float(v) for v in features]  # float32 -> double, exact
        gap = 0.0 if self.n == 0 else max(0.0, (time_ms - self.last_time) / 1000.0)
        first = self.n == 0
        self.n += 1
        for j in range(6):
            self.sums[j] += x[j]
            if first or x[j] > self.maxs[j]:
                self.maxs[j] = x[j]
        self.last_time = time_ms
        onehot = [0.0] * 4
        onehot[type_index] = 1.0
        log_gap = math.log1p(gap)
        step = x + onehot + [log_gap]
        self.ring.append(step)
        if len(self.ring) > SEQUENCE_LENGTH:
            self.ring.pop(0)
        means = [s / self.n for s in self.sums]
        agg = x + onehot + [math.log1p(self.n), log_gap] + means + list(self.maxs)
        pad = SEQUENCE_LENGTH - len(self.ring)
        seq = [[0.0] * STEP_SIZE for _ in range(pad)] + [list(r) for r in self.ring]
        return agg, seq


def featurize(sessions):
    """Featurize every event (session order, then event order).

    Returns (aggregates float32 [N, 24], sequences float32 [N, 16, 11],
    fraud labels float32 [N], buyer labels float32 [N]). The double -> float32
    casts are done by numpy (round to nearest even, as Java's ``(float)``).
    """
    total = sum(len(s["events"]) for s in sessions)
    agg = np.zeros((total, AGG_SIZE), dtype=np.float32)
    seq = np.zeros((total, SEQUENCE_LENGTH, STEP_SIZE), dtype=np.float32)
    fraud = np.zeros(total, dtype=np.float32)
    buyer = np.zeros(total, dtype=np.float32)
    idx = 0
    for s in sessions:
        fz = SessionFeaturizer()
        for e in s["events"]:
            a, q = fz.update(e["features"], e["type_index"], e["event_time"])
            agg[idx] = np.array(a, dtype=np.float64).astype(np.float32)
            seq[idx] = np.array(q, dtype=np.float64).astype(np.float32)
            fraud[idx] = 1.0 if s["fraud"] else 0.0
            buyer[idx] = 1.0 if s["buyer"] else 0.0
            idx += 1
    return agg, seq, fraud, buyer


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------
def auc(scores, labels):
    """ROC AUC via the Mann-Whitney U statistic, tied scores get their average rank."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels) > 0.5
    n_pos = int(labels.sum())
    n_neg = int(labels.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both classes")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(scores.size, dtype=np.float64)
    i = 0
    n = scores.size
    while i < n:
        j = i
        while j + 1 < n and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0  # average of 1-based ranks i+1..j+1
        i = j + 1
    rank_sum = ranks[labels].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------
def build_model_classes(torch):
    nn = torch.nn

    class FraudMLP(nn.Module):
        """24 -> 64 -> 32 -> 1, ReLU between layers, sigmoid inside: [B, 24] -> [B, 1]."""

        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(AGG_SIZE, 64), nn.ReLU(),
                nn.Linear(64, 32), nn.ReLU(),
                nn.Linear(32, 1))

        def logits(self, x):
            return self.net(x)

        def forward(self, features):
            return torch.sigmoid(self.net(features))

    class IntentGRU(nn.Module):
        """GRU(11 -> 32), batch first, h0 = 0; last hidden -> Linear(32 -> 1) -> sigmoid."""

        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(input_size=STEP_SIZE, hidden_size=32, num_layers=1, batch_first=True)
            self.head = nn.Linear(32, 1)

        def logits(self, x):
            out, _ = self.gru(x)
            return self.head(out[:, -1, :])

        def forward(self, sequence):
            return torch.sigmoid(self.logits(sequence))

    class FraudGRU(IntentGRU):
        """IntentGRU's network on the same [16, 11] sequence, trained on the fraud flag: the
        large model of the fraud cascade (fraud-mlp -> fraud-gru)."""

    return FraudMLP, IntentGRU, FraudGRU


MODEL_SPECS = {
    "fraud-mlp": {
        "layout": "event_with_session_aggregates",
        "input_name": "features",
        "input_shape": [AGG_SIZE],
        "label": "fraud",
        "lr": 1e-3,
        "batch": 256,
        "description": "MLP 24->64->32->1 (ReLU, sigmoid inside) on the 24-float "
                       "event_with_session_aggregates vector; one example per event, "
                       "label = the session's fraud flag. Adam, BCE on logits "
                       "with label smoothing 0.02 (targets 0.01/0.99).",
    },
    "intent-gru": {
        "layout": "session_sequence",
        "input_name": "sequence",
        "input_shape": [SEQUENCE_LENGTH, STEP_SIZE],
        "label": "buyer",
        "lr": 3e-3,
        "batch": 256,
        "description": "GRU(11->32, batch first, zero initial state) over the [16, 11] "
                       "session_sequence, last hidden state -> Linear(32->1) -> sigmoid; "
                       "one example per event, label = the session's buyer flag. "
                       "Adam, BCE on logits with label smoothing 0.02 (targets 0.01/0.99).",
    },
    "fraud-gru": {
        "layout": "session_sequence",
        "input_name": "sequence",
        "input_shape": [SEQUENCE_LENGTH, STEP_SIZE],
        "label": "fraud",
        "lr": 3e-3,
        "batch": 256,
        "description": "GRU(11->32, batch first, zero initial state) over the [16, 11] "
                       "session_sequence, last hidden state -> Linear(32->1) -> sigmoid "
                       "(intent-gru's network); one example per event, label = the session's "
                       "fraud flag: the large model of the fraud cascade fraud-mlp -> fraud-gru. "
                       "Adam, BCE on logits with label smoothing 0.02 (targets 0.01/0.99).",
    },
}

MODEL_NAMES = tuple(MODEL_SPECS)

# version -> (init/shuffle seed, epochs) per model
VERSIONS = {
    "fraud-mlp": {"1": (1001, 4), "2": (2002, 6)},
    "intent-gru": {"1": (1001, 4), "2": (2002, 6)},
    "fraud-gru": {"1": (1001, 6)},
}


# The garbage candidate (a test fixture, never a model to serve): fraud-mlp's network and input
# layout, untrained (weights from this seed), with this bias added to its output logit, so every
# score is a sigmoid of about +6: 0.99 and up, where the trained versions put a few percent of
# events. Its version is the next after the reference versions.
GARBAGE_NAME = "fraud-mlp"
GARBAGE_VERSION = "3"
GARBAGE_SEED = 3003
GARBAGE_OUTPUT_BIAS = 6.0
GARBAGE_MIN_SCORE = 0.9  # every held-out score must be at least this: the top PSI bin of 0.9..1


LABEL_SMOOTHING = 0.02  # targets 0.01 / 0.99: keeps logits (and golden scores) out of saturation


def train_model(torch, model, x, y, epochs, seed, lr, batch, log):
    """Adam + BCE-with-logits on label-smoothed targets, deterministic shuffles."""
    torch.manual_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    xt = torch.from_numpy(x)
    yt = torch.from_numpy((y * (1.0 - LABEL_SMOOTHING) + 0.5 * LABEL_SMOOTHING).astype(np.float32)).unsqueeze(1)
    n = xt.shape[0]
    model.train()
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        t0 = time.time()
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model.logits(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss) * idx.shape[0]
        log("    epoch %d/%d  loss %.5f  (%.1fs)" % (epoch + 1, epochs, total / n, time.time() - t0))
    model.eval()
    return model


def predict(torch, module, x, batch=4096):
    outs = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            outs.append(module(torch.from_numpy(x[start:start + batch])).numpy())
    return np.concatenate(outs, axis=0).reshape(-1)


# --------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------
def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _to_json(obj, indent=0):
    """JSON with 2-space indentation, but lists of scalars on one line."""
    pad = "  " * indent
    pad_in = "  " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = ["%s%s: %s" % (pad_in, json.dumps(k), _to_json(v, indent + 1)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            return "[" + ", ".join(json.dumps(v) for v in obj) + "]"
        items = [pad_in + _to_json(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("non-finite float in JSON output")
        return repr(obj)
    return json.dumps(obj)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(_to_json(obj))
        f.write("\n")


def f32_list(values):
    """float32 values -> Python floats (exact; repr round-trips to the same float32)."""
    return [float(np.float32(v)) for v in np.asarray(values, dtype=np.float32).reshape(-1)]


def sessions_json(sessions):
    out = []
    for s in sessions:
        out.append({
            "session_id": s["session_id"],
            "user_id": s["user_id"],
            "fraud": bool(s["fraud"]),
            "buyer": bool(s["buyer"]),
            "events": [{
                "event_id": e["event_id"],
                "event_type": e["event_type"],
                "event_time": int(e["event_time"]),
                "features": f32_list(e["features"]),
            } for e in s["events"]],
        })
    return out


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Generate ScoreStream's reference models (fraud-mlp and intent-gru versions 1 "
                    "and 2, fraud-gru version 1), their golden files, models/synthetic-golden.json "
                    "and models/SHA256SUMS, following models/FEATURE_SPEC.md. Run via "
                    "models/generate.sh.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--train-sessions", type=int, default=20000,
                        help="training sessions, from seed %d" % TRAIN_SEED)
    parser.add_argument("--heldout-sessions", type=int, default=5000,
                        help="held-out sessions, from seed %d" % HELDOUT_SEED)
    parser.add_argument("--epoch-scale", type=float, default=1.0,
                        help="multiply every model's epoch count (for quick smoke runs, e.g. 0.25)")
    parser.add_argument("--out", default=MODELS_DIR,
                        help="output folder (the models/ folder of the repository)")
    parser.add_argument("--min-auc", type=float, default=0.85,
                        help="fail if a model's held-out AUC is below this")
    parser.add_argument("--only", metavar="NAME[,NAME...]", default=None,
                        help="regenerate only these models (%s): their version folders and their "
                             "SHA256SUMS lines; every other file, synthetic-golden.json included, is "
                             "left as it is" % ", ".join(MODEL_NAMES))
    parser.add_argument("--garbage-candidate", metavar="DIR", default=None,
                        help="write ONLY the test fixture DIR/%s/%s/ (an untrained %s whose scores "
                             "all sit near 1, for the automatic-rollback tests) and nothing else"
                             % (GARBAGE_NAME, GARBAGE_VERSION, GARBAGE_NAME))
    args = parser.parse_args(argv)
    names = MODEL_NAMES
    if args.only is not None:
        names = tuple(n.strip() for n in args.only.split(",") if n.strip())
        unknown = [n for n in names if n not in MODEL_NAMES]
        if unknown or not names:
            parser.error("--only: unknown model(s) %s (known: %s)" % (
                ", ".join(unknown) or "none given", ", ".join(MODEL_NAMES)))

    import torch  # imported late so that --help works without torch
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    FraudMLP, IntentGRU, FraudGRU = build_model_classes(torch)
    classes = {"fraud-mlp": FraudMLP, "intent-gru": IntentGRU, "fraud-gru": FraudGRU}

    t_start = time.time()

    def log(msg):
        print("[%6.1fs] %s" % (time.time() - t_start, msg), flush=True)

    log("torch %s, onnx %s, numpy %s" % (torch.__version__, _onnx_version(), np.__version__))
    if args.garbage_candidate is not None:
        write_garbage_candidate(torch, FraudMLP, os.path.abspath(args.garbage_candidate),
                                args.heldout_sessions, log)
        return 0

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    # ---- synthetic golden (generator + featurizer, no model) -------------------------
    # SHA256SUMS lines of the files this run does not write are kept as they are (--only).
    sums = {} if args.only is None else read_sums(os.path.join(out, "SHA256SUMS"), names)
    if args.only is None:
        synth = generate_sessions(GOLDEN_SYNTH_SEED, GOLDEN_SYNTH_SESSIONS)
        s_agg, s_seq, _, _ = featurize(synth)
        write_json(os.path.join(out, "synthetic-golden.json"), {
            "seed": GOLDEN_SYNTH_SEED,
            "session_start_ms": SESSION_START_MS,
            "session_interval_ms": SESSION_INTERVAL_MS,
            "sessions": sessions_json(synth),
            "event_with_session_aggregates": [f32_list(r) for r in s_agg],
            "session_sequence": [f32_list(r) for r in s_seq],
        })
        sums["synthetic-golden.json"] = sha256_file(os.path.join(out, "synthetic-golden.json"))
        log("wrote synthetic-golden.json (%d sessions, %d events)" % (len(synth), s_agg.shape[0]))

    # ---- data -------------------------------------------------------------------------
    train_sessions = generate_sessions(TRAIN_SEED, args.train_sessions)
    tr_agg, tr_seq, tr_fraud, tr_buyer = featurize(train_sessions)
    log("train: %d sessions, %d events (fraud rate %.3f, buyer rate %.3f)" % (
        len(train_sessions), tr_agg.shape[0], tr_fraud.mean(), tr_buyer.mean()))
    held_sessions = generate_sessions(HELDOUT_SEED, args.heldout_sessions)
    ho_agg, ho_seq, ho_fraud, ho_buyer = featurize(held_sessions)
    log("held-out: %d sessions, %d events" % (len(held_sessions), ho_agg.shape[0]))
    golden_sessions = generate_sessions(GOLDEN_MODEL_SEED, GOLDEN_MODEL_SESSIONS)
    g_agg, g_seq, _, _ = featurize(golden_sessions)
    g_sessions_json = sessions_json(golden_sessions)

    data = {
        "fraud-mlp": (tr_agg, tr_fraud, ho_agg, ho_fraud, g_agg),
        "intent-gru": (tr_seq, tr_buyer, ho_seq, ho_buyer, g_seq),
        "fraud-gru": (tr_seq, tr_fraud, ho_seq, ho_fraud, g_seq),
    }

    results = []
    for name in names:
        spec = MODEL_SPECS[name]
        x_tr, y_tr, x_ho, y_ho, x_g = data[name]
        for version in sorted(VERSIONS[name]):
            seed, base_epochs = VERSIONS[name][version]
            epochs = max(1, int(round(base_epochs * args.epoch_scale)))
            log("training %s v%s (seed %d, %d epochs)" % (name, version, seed, epochs))
            torch.manual_seed(seed)
            model = classes[name]()
            train_model(torch, model, x_tr, y_tr, epochs, seed, spec["lr"], spec["batch"], log)

            vdir = os.path.join(out, name, version)
            os.makedirs(vdir, exist_ok=True)
            pt_path = os.path.join(vdir, "model.pt")
            onnx_path = os.path.join(vdir, "model.onnx")
            example = torch.from_numpy(x_g[:2].copy())
            with torch.no_grad():
                traced = torch.jit.trace(model, example)
            torch.jit.save(traced, pt_path)
            export_onnx(torch, model, example, onnx_path, spec["input_name"])

            loaded = torch.jit.load(pt_path)
            loaded.eval()
            ho_scores = predict(torch, loaded, x_ho)
            heldout_auc = auc(ho_scores, y_ho)
            with torch.no_grad():
                eager = model(torch.from_numpy(x_ho[:512])).numpy().reshape(-1)
            if not np.allclose(eager, ho_scores[:512], atol=1e-6):
                raise SystemExit("TorchScript and eager outputs differ for %s v%s" % (name, version))
            log("  %s v%s held-out AUC %.4f" % (name, version, heldout_auc))
            if heldout_auc < args.min_auc:
                raise SystemExit("%s v%s: held-out AUC %.4f below --min-auc %.2f" % (
                    name, version, heldout_auc, args.min_auc))

            g_scores = predict(torch, loaded, x_g)
            golden = {
                "seed": GOLDEN_MODEL_SEED,
                "sessions": g_sessions_json,
                "inputs": [f32_list(r) for r in x_g],
                "scores": f32_list(g_scores),
            }
            onnx_scores = onnxruntime_scores(onnx_path, spec["input_name"], x_g)
            if onnx_scores is not None:
                golden["onnx_scores"] = f32_list(onnx_scores)
            golden_path = os.path.join(vdir, "golden.json")
            write_json(golden_path, golden)

            files = {"model.pt": sha256_file(pt_path)}
            alternatives = []
            if os.path.exists(onnx_path):
                files["model.onnx"] = sha256_file(onnx_path)
                alternatives.append({"engine": "OnnxRuntime", "artifact": "model.onnx"})
            files["golden.json"] = sha256_file(golden_path)
            feature_spec = {
                "layout": spec["layout"],
                "event_types": list(EVENT_TYPES),
                "event_features": list(EVENT_FEATURES),
            }
            if spec["layout"] == "session_sequence":
                feature_spec["sequence_length"] = SEQUENCE_LENGTH
            manifest = {
                "name": name,
                "version": version,
                "engine": "PyTorch",
                "artifact": "model.pt",
                "alternatives": alternatives,
                "inputs": [{"name": spec["input_name"], "shape": spec["input_shape"], "dtype": "float32"}],
                "outputs": [{"name": "score", "shape": [1], "dtype": "float32"}],
                "feature_spec": feature_spec,
                "label": spec["label"],
                "training": {
                    "train_seed": TRAIN_SEED,
                    "heldout_seed": HELDOUT_SEED,
                    "train_sessions": len(train_sessions),
                    "heldout_sessions": len(held_sessions),
                    "epochs": epochs,
                    "heldout_auc": round(heldout_auc, 6),
                    "torch_version": torch.__version__,
                    "description": "%s Init/shuffle seed %d, lr %g, batch %d, %d training events, "
                                   "%d held-out events. Built with Debian python3-torch %s." % (
                                       spec["description"], seed, spec["lr"], spec["batch"],
                                       x_tr.shape[0], x_ho.shape[0], _debian_torch_version()),
                },
                "files": files,
            }
            manifest_path = os.path.join(vdir, "manifest.json")
            write_json(manifest_path, manifest)
            for fname in ("manifest.json", "model.pt", "model.onnx", "golden.json"):
                p = os.path.join(vdir, fname)
                if os.path.exists(p):
                    sums["%s/%s/%s" % (name, version, fname)] = sha256_file(p)
            results.append((name, version, heldout_auc, epochs))

    with open(os.path.join(out, "SHA256SUMS"), "w", encoding="utf-8") as f:
        for rel in sorted(sums):
            f.write("%s  %s\n" % (sums[rel], rel))
    log("wrote SHA256SUMS (%d files)" % len(sums))
    for name, version, a, epochs in results:
        log("%s v%s: held-out AUC %.4f (%d epochs)" % (name, version, a, epochs))
    log("done")
    return 0


def read_sums(path, regenerated):
    """The lines of an existing SHA256SUMS (file -> hash), less those of the models in
    ``regenerated``, whose files this run writes again."""
    sums = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            digest, rel = line.rstrip("\n").split("  ", 1)
            if rel.split("/", 1)[0] not in regenerated:
                sums[rel] = digest
    return sums


def write_garbage_candidate(torch, FraudMLP, root, heldout_sessions, log):
    """Writes ``root/fraud-mlp/3/``: a test fixture, not a model.

    fraud-mlp's network, input and output (same feature_spec, tensor names and shapes as the
    reference versions), left untrained with seeded weights and GARBAGE_OUTPUT_BIAS added to its
    output layer's bias, so it loads and runs like any version but scores every event near 1.
    A live-rollout test canaries it against the trained version 2, whose scores are spread low,
    and the rollback guard must roll it back for the shift of its scores (PSI). The folder is a
    complete version: model.pt, model.onnx and a manifest with both checksums, marked
    ``test_fixture``. Nothing else is written; the reference repository is not touched.
    """
    spec = MODEL_SPECS[GARBAGE_NAME]
    torch.manual_seed(GARBAGE_SEED)
    model = FraudMLP()
    with torch.no_grad():
        model.net[-1].bias.add_(GARBAGE_OUTPUT_BIAS)
    model.eval()

    vdir = os.path.join(root, GARBAGE_NAME, GARBAGE_VERSION)
    os.makedirs(vdir, exist_ok=True)
    pt_path = os.path.join(vdir, "model.pt")
    onnx_path = os.path.join(vdir, "model.onnx")
    golden_sessions = generate_sessions(GOLDEN_MODEL_SEED, GOLDEN_MODEL_SESSIONS)
    g_agg, _, _, _ = featurize(golden_sessions)
    example = torch.from_numpy(g_agg[:2].copy())
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    torch.jit.save(traced, pt_path)
    export_onnx(torch, model, example, onnx_path, spec["input_name"])

    held_sessions = generate_sessions(HELDOUT_SEED, heldout_sessions)
    ho_agg, _, ho_fraud, _ = featurize(held_sessions)
    loaded = torch.jit.load(pt_path)
    loaded.eval()
    scores = predict(torch, loaded, ho_agg)
    with torch.no_grad():
        eager = model(torch.from_numpy(ho_agg[:512])).numpy().reshape(-1)
    if not np.allclose(eager, scores[:512], atol=1e-6):
        raise SystemExit("TorchScript and eager outputs of the garbage candidate differ")
    if scores.min() < GARBAGE_MIN_SCORE:
        raise SystemExit("garbage candidate scores %.4f on a held-out event, below %.2f: not "
                         "far enough from the trained versions" % (scores.min(), GARBAGE_MIN_SCORE))
    heldout_auc = auc(scores, ho_fraud)
    log("garbage candidate: held-out scores %.4f..%.4f, AUC %.4f" % (
        scores.min(), scores.max(), heldout_auc))

    manifest = {
        "name": GARBAGE_NAME,
        "version": GARBAGE_VERSION,
        "engine": "PyTorch",
        "artifact": "model.pt",
        "alternatives": [{"engine": "OnnxRuntime", "artifact": "model.onnx"}],
        "inputs": [{"name": spec["input_name"], "shape": spec["input_shape"], "dtype": "float32"}],
        "outputs": [{"name": "score", "shape": [1], "dtype": "float32"}],
        "feature_spec": {
            "layout": spec["layout"],
            "event_types": list(EVENT_TYPES),
            "event_features": list(EVENT_FEATURES),
        },
        "label": spec["label"],
        "test_fixture": "garbage candidate for the live-rollout tests: untrained, scores near 1."
                        " Never serve it.",
        "training": {
            "init_seed": GARBAGE_SEED,
            "epochs": 0,
            "output_bias": GARBAGE_OUTPUT_BIAS,
            "heldout_seed": HELDOUT_SEED,
            "heldout_sessions": len(held_sessions),
            "heldout_auc": round(heldout_auc, 6),
            "torch_version": torch.__version__,
            "description": "TEST FIXTURE, not a model: fraud-mlp's MLP 24->64->32->1 (ReLU, "
                           "sigmoid inside), untrained (init seed %d), %+g added to the output "
                           "layer's bias, so every score is %.4f..%.4f on the %d held-out events. "
                           "Written by generate.py --garbage-candidate with Debian python3-torch "
                           "%s." % (GARBAGE_SEED, GARBAGE_OUTPUT_BIAS, scores.min(), scores.max(),
                                    ho_agg.shape[0], _debian_torch_version()),
        },
        "files": {"model.pt": sha256_file(pt_path), "model.onnx": sha256_file(onnx_path)},
    }
    write_json(os.path.join(vdir, "manifest.json"), manifest)
    log("wrote %s (model.pt, model.onnx, manifest.json)" % vdir)


def export_onnx(torch, model, example, path, input_name):
    """ONNX export: opset 13, dynamic batch axis, input ``input_name``, output ``score``."""
    if os.path.exists(path):
        os.remove(path)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (example,), path,
            input_names=[input_name], output_names=["score"],
            dynamic_axes={input_name: {0: "batch"}, "score": {0: "batch"}},
            opset_version=13, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


def onnxruntime_scores(path, input_name, x):
    """Scores from onnxruntime when it is installed (Debian bookworm has no package)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    sess = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(["score"], {input_name: x})[0].reshape(-1)


def _onnx_version():
    try:
        import onnx
        return onnx.__version__
    except ImportError:
        return "missing"


def _debian_torch_version():
    try:
        import subprocess
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                           capture_output=True, text=True, check=False).stdout.strip()
        return v or "unknown"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
