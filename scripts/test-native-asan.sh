#!/usr/bin/env bash
# Builds the native addon with AddressSanitizer + UBSan and runs the kernel conformance and
# native-boundary tests on it, so an out-of-bounds access or undefined behaviour that happens
# not to crash still fails.
#
# The sanitized build goes to its own directory (default build/asan, via cmake-js --out), so
# the normal build/Release/tensile.node is left alone; the tests load the sanitized addon
# through TENSILE_ADDON (honoured by lib/backends/cpu/addon.ts). The CMake option is the one
# `TENSILE_SANITIZE=1 node scripts/build-native.mjs` passes (see CMakeLists.txt).
#
# Node itself is not instrumented, so the ASan runtime is LD_PRELOADed; leak checking is off
# because node leaks at exit by design. UBSan halts on the first error.
#
# Env: TENSILE_ASAN_OUT (build dir), TENSILE_ASAN_CONFIG (Debug | RelWithDebInfo, default
# Debug: -O0 keeps every access the source makes), TENSILE_CONFORMANCE_LIGHT (default 1:
# the largest GEMM sizes shrink, the sanitized debug build is slow). Extra args go to jest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${TENSILE_ASAN_OUT:-$root/build/asan}
config=${TENSILE_ASAN_CONFIG:-Debug}
log=$out/asan-test.log

echo "::: building the ASan+UBSan addon ($config) in $out"
t0=$SECONDS
node node_modules/cmake-js/bin/cmake-js compile --directory "$root" --out "$out" --config "$config" \
  --CDTENSILE_SANITIZE=ON --log-level warn
echo "::: build took $((SECONDS - t0)) s"

addon=$out/$config/tensile.node
[ -f "$addon" ] || addon=$(find "$out" -name tensile.node -newer "$out/CMakeCache.txt" | head -n 1)
[ -n "$addon" ] && [ -f "$addon" ] || { echo "test-native-asan: no tensile.node under $out" >&2; exit 1; }
if ! nm -D "$addon" | grep '__asan_' >/dev/null; then  # (not grep -q: with pipefail, nm's SIGPIPE would fail it)
  echo "test-native-asan: $addon is not instrumented with ASan (was TENSILE_SANITIZE honoured?)" >&2
  exit 1
fi

# The runtime that matches the compiler CMake used.
compiler_id=$(sed -n 's/^CMAKE_CXX_COMPILER_ID:[A-Z]*=//p' "$out/CMakeCache.txt" 2>/dev/null || true)
if [ -z "$compiler_id" ]; then compiler_id=$(grep -h '^set(CMAKE_CXX_COMPILER_ID ' "$out"/CMakeFiles/*/CMakeCXXCompiler.cmake 2>/dev/null | head -n 1 | sed 's/.*"\(.*\)".*/\1/'); fi
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$out/CMakeCache.txt")
if [ "$compiler_id" = "Clang" ]; then
  libasan=$("$cxx" -print-file-name="libclang_rt.asan-$(uname -m).so")
else
  libasan=$("${cxx:-g++}" -print-file-name=libasan.so)
fi
[ -f "$libasan" ] || { echo "test-native-asan: no ASan runtime found ($libasan)" >&2; exit 1; }
echo "::: addon $addon"
echo "::: ASan runtime $libasan"

export TENSILE_ADDON=$addon
export TENSILE_REQUIRE_NATIVE=1
export TENSILE_CONFORMANCE_LIGHT=${TENSILE_CONFORMANCE_LIGHT:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:print_summary=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The addon must load under the preload and report the sanitized build.
LD_PRELOAD=$libasan node -e '
  const a = require(process.env.TENSILE_ADDON);
  const i = a.info();
  console.log(`::: loaded: isa ${i.isa} (paths: ${i.isas.join(", ")}), ${i.threads} threads, ${i.compiler ?? "?"}`);
'

echo "::: running the conformance and addon-boundary tests under ASan+UBSan"
t0=$SECONDS
set +e
# --expose-gc as in `npm test`: the boundary test frees a detached buffer to catch a stale pointer.
LD_PRELOAD=$libasan node --expose-gc node_modules/jest/bin/jest.js --runInBand --ci \
  test/conformance.test.ts test/addon-boundary.test.ts "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "::: tests took $((SECONDS - t0)) s (log: $log)"

if grep -qE 'ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$log"; then
  echo "test-native-asan: FAILED: the sanitizers reported errors (see above)" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "test-native-asan: FAILED: jest exited with $rc" >&2
  exit "$rc"
fi
echo "test-native-asan: OK: no ASan/UBSan reports, all tests passed"
