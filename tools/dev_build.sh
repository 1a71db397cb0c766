#!/usr/bin/env bash
# Developer build without pip: compiles kerasette._core into build/<name>/kerasette.
# Use it with: PYTHONPATH=build/<name>:python python -m pytest tests/...
# Usage: tools/dev_build.sh [name] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-dev}; shift || true
cmake -S . -B "build/$name" -DCMAKE_BUILD_TYPE=Release \
  -Dpybind11_DIR="$(python3 -c 'import pybind11; print(pybind11.get_cmake_dir())')" "$@" >/dev/null
cmake --build "build/$name" -j2 2>&1 | grep -E "error|warning|Built target" || true
test -n "$(ls build/$name/kerasette/_core*.so 2>/dev/null)"
