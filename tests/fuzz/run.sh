#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS_PER_TARGET] - build every libFuzzer harness
# tests/fuzz/fuzz_NAME.c (with ASan and UBSan) into $BUILD/fuzz/NAME, then
# run each for SECONDS_PER_TARGET seconds (default 10).
#
# Each harness names the pure sources it links on its first line,
# "// covers: ...", as the unit tests do. The corpus of NAME grows in
# $BUILD/fuzz/corpus/NAME, seeded from tests/fuzz/seeds/NAME/ when that
# exists. A crash (or leak, timeout, out-of-memory) leaves its input in
# $BUILD/fuzz/artifacts/NAME/; the script prints how to reproduce it and
# exits non-zero. The last line is the summary: "fuzz: N targets, M crashes".
set -u

SECONDS_PER_TARGET=${1:-10}
case $SECONDS_PER_TARGET in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/fuzz
CLANG=${CLANG:-clang}
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DHOST_TEST -I.)

mkdir -p "$OUT/logs"
targets=0
crashes=0
failed=()

for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    bin=$OUT/$name
    log=$OUT/logs/$name.log
    targets=$((targets + 1))

    read -r -a covered <<<"$(sed -n '1s#^// covers: ##p' "$src")"
    if [ ${#covered[@]} -eq 0 ]; then
        echo "fuzz: $src: first line must be '// covers: <sources>'" >&2
        crashes=$((crashes + 1))
        failed+=("$name (no covers line)")
        continue
    fi
    echo "  FUZZCC $bin"
    if ! "$CLANG" "${CFLAGS[@]}" -o "$bin" "$src" "${covered[@]}" >"$log" 2>&1; then
        cat "$log" >&2
        echo "fuzz: $name: build failed" >&2
        crashes=$((crashes + 1))
        failed+=("$name (build failed)")
        continue
    fi

    corpus=$OUT/corpus/$name
    artifacts=$OUT/artifacts/$name
    mkdir -p "$corpus" "$artifacts"
    rm -f "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*
    dirs=("$corpus")
    [ -d tests/fuzz/seeds/$name ] && dirs+=("tests/fuzz/seeds/$name")

    echo "  FUZZ   $name ${SECONDS_PER_TARGET}s"
    "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=5 -artifact_prefix="$artifacts/" \
        "${dirs[@]}" >>"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "fuzz: $name: ${runs:-?} runs, corpus $(find "$corpus" -type f | wc -l) inputs, ok"
        continue
    fi
    crashes=$((crashes + 1))
    repro=$(ls -t "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* \
        "$artifacts"/oom-* 2>/dev/null | head -n 1)
    grep -E -A 12 '^==[0-9]+==ERROR|runtime error|^SUMMARY|ERROR: libFuzzer' "$log" | head -n 30 >&2
    echo "fuzz: $name: CRASH (exit $rc), reproducer: ${repro:-none written, see $log}" >&2
    [ -n "$repro" ] && echo "fuzz: $name: reproduce with: $bin $repro" >&2
    failed+=("$name")
done

[ ${#failed[@]} -gt 0 ] && echo "fuzz: failed: ${failed[*]}" >&2
echo "fuzz: $targets targets, $crashes crashes"
[ $crashes -eq 0 ]
