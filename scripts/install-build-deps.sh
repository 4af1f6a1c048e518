#!/usr/bin/env bash
# Installs what the native build needs (a C++17 compiler and cmake) when missing. Idempotent;
# needs root for apt-get. .ci/run calls it; users on Debian/Ubuntu can too.
set -euo pipefail
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
if [ ${#missing[@]} -eq 0 ]; then
  echo "build tools present: $(cmake --version | head -1), $(g++ --version | head -1)"
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
