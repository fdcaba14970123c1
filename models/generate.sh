#!/usr/bin/env bash
# Regenerate the ScoreStream reference models, golden files and checksums.
#
# Usage: models/generate.sh [generate.py options]   (see: models/generate.sh --help)
#
# Runs models/generate.py under Debian's /usr/bin/python3 (not a pyenv/virtualenv python),
# installing Debian's python3-torch, python3-onnx and python3-numpy first if they are missing.
# Needs root (or sudo) only when the packages have to be installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

if ! /usr/bin/python3 -c 'import torch, onnx, numpy' >/dev/null 2>&1; then
  echo "generate.sh: installing python3-torch python3-onnx python3-numpy from Debian" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y python3-torch python3-onnx python3-numpy
fi

cd "$repo"
exec /usr/bin/python3 models/generate.py "$@"
