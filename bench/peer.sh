#!/usr/bin/env bash
# Starts the benchmark's Python peer (bench/peer.py) under Debian's /usr/bin/python3, installing
# Debian's python3-confluent-kafka, python3-torch and python3-numpy first if they are missing.
# Needs root (or sudo) only when the packages have to be installed. When they cannot be installed,
# prints one line starting with SKIP: and exits 3, so the bench skips the peer with that message.
#
# Usage: bench/peer.sh --bootstrap host:port --input topic --output topic --group id \
#          --model models/fraud-mlp/2/model.pt --models-dir models
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
needs='import confluent_kafka, torch, numpy'

if ! /usr/bin/python3 -c "$needs" >/dev/null 2>&1; then
  echo "peer.sh: installing python3-confluent-kafka python3-torch python3-numpy from Debian" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "SKIP: the Python peer needs python3-confluent-kafka and python3-torch (Debian), and" \
        "installing them needs root or sudo"
      exit 3
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  { $sudo apt-get update && $sudo apt-get install -y python3-confluent-kafka python3-torch python3-numpy; } >&2
  if ! /usr/bin/python3 -c "$needs" >/dev/null 2>&1; then
    echo "SKIP: python3-confluent-kafka and python3-torch could not be installed from Debian"
    exit 3
  fi
fi

exec /usr/bin/python3 "$here/peer.py" "$@"
