#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer
# (issue 18): each gets a build of its own (.build/asan and .build/tsan, tests and programs alike, so
# the programs the end-to-end tests start are checked too), and every process writes its reports
# to .build/sanitizer-reports/NAME/. The run fails when a test fails or any report was written.
# Tests run at most SANITIZE_WIDTH (default 4) at a time: instrumented code is several times
# slower, and the suite's own time limits are meant for a machine that is not swamped.
#
# ThreadSanitizer sees the locks because they are Guarded (a pthread mutex) rather than
# Synchronization.Mutex, whose futex calls it cannot see; Scripts/tsan-suppressions.txt lists the
# reports left in the libraries' code, none with a frame of ours.
# Usage: Scripts/test-sanitizers.sh [address|thread …] [-- swift test arguments, e.g. --filter X]
# (no sanitizer named: both)
set -uo pipefail
cd "$(dirname "$0")/.."

sanitizers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do sanitizers+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)
for sanitizer in "${sanitizers[@]}"; do
  case $sanitizer in
    address | thread) ;;
    *) echo "test-sanitizers: $sanitizer is not address or thread (swift test arguments go after --)" >&2; exit 2 ;;
  esac
done

failed=()
for sanitizer in "${sanitizers[@]}"; do
  scratch=.build/${sanitizer:0:1}san
  reports=$PWD/.build/sanitizer-reports/$sanitizer
  log=.build/sanitize-$sanitizer.log
  rm -rf "$reports"
  mkdir -p "$reports"
  echo "== $sanitizer: building (log: $log)" >&2
  if ! swift build --build-tests --scratch-path "$scratch" --sanitize="$sanitizer" >"$log" 2>&1; then
    grep -E "error:" "$log" | head -20 >&2
    failed+=("$sanitizer (build)")
    continue
  fi
  echo "== $sanitizer: testing" >&2
  # LeakSanitizer checks the programs the tests start, at their exit. Not the test process: its
  # fixtures (test servers, embedded channels never closed) are left for the process's end, and
  # there it also reports blocks that are plainly still referenced (a test's static constant,
  # Foundation's Data storage), which fits Swift keeping enum cases in a pointer's spare bits,
  # where a scan does not see the pointer. Scripts/lsan-suppressions.txt lists the runtime
  # libraries' own reports.
  # A crash is a report too: the sanitizer writes it (with its stack) where the others go, for
  # every fatal signal, instead of Swift's backtracer, whose helper process is started in a way
  # ThreadSanitizer cannot follow (it failed an internal check in the child instead).
  crashes="handle_segv=1:handle_sigbus=1:handle_sigill=1:handle_sigfpe=1:handle_sigtrap=1:handle_abort=1"
  programs="log_path=$reports/report:detect_leaks=1:$crashes"
  ASAN_OPTIONS="log_path=$reports/report:detect_leaks=0:$crashes" TGPT_PROGRAMS_ASAN_OPTIONS="$programs" \
    LSAN_OPTIONS="suppressions=$PWD/Scripts/lsan-suppressions.txt:print_suppressions=0" \
    TGPT_SANITIZER="$sanitizer" SWIFT_BACKTRACE=enable=no \
    TSAN_OPTIONS="log_path=$reports/report:second_deadlock_stack=1:$crashes:suppressions=$PWD/Scripts/tsan-suppressions.txt" \
    SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SANITIZE_WIDTH:-4}" \
    swift test --skip-build --scratch-path "$scratch" --sanitize="$sanitizer" "$@" >>"$log" 2>&1
  status=$?
  grep -E "^✔ Test run|^✘ Test run|Executed [0-9]+ tests" "$log" | tail -3 >&2
  if [ $status -ne 0 ]; then
    grep -E "^✘ Test .*(failed|recorded)" "$log" | head -20 >&2
    failed+=("$sanitizer (tests)")
  fi
  if [ -n "$(ls -A "$reports")" ]; then
    echo "$sanitizer reports in $reports:" >&2
    grep -h -A3 -E "^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY)" "$reports"/* | head -60 >&2
    failed+=("$sanitizer (reports)")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
echo "clean under: ${sanitizers[*]}" >&2
