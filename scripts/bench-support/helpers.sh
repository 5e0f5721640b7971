# Helpers shared by scripts/bench and scripts/bench-age (sourced, not run): clocks,
# medians, formatting, and the ROWS of the table.
note() { echo "bench: $*" >&2; }
now() { echo "$EPOCHREALTIME"; }               # bash's own clock: no fork per reading
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3g", a / b; else print "-" }'; }
ms() { awk -v s="$1" 'BEGIN { printf (s < 0.01 ? "%.2f ms" : "%.1f ms"), s * 1000 }'; }
sec() { awk -v s="$1" 'BEGIN { printf "%.3f s", s }'; }
# meets VALUE OP LIMIT -> "ok" or "MISS"
meets() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { r = (op == "<=") ? v <= l : v == l; print (r ? "ok" : "MISS") }'; }
ROWS=()
row() { ROWS+=("$1|$2|$3|$4|$5|$6"); note "$1: $2 vs $3 (ratio $4) target $5 $6"; }
# timed VAR CMD... : appends the wall seconds of CMD to VAR, leaves its output in $OUT
timed() {
    local var=$1 t0 t1; shift
    t0=$(now); OUT=$("$@" 2>&1 || true); t1=$(now)
    printf -v "$var" '%s %s' "${!var:-}" "$(elapsed "$t0" "$t1")"
}
peak() { /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>&1 || true; tail -1 "$WORK/rss"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
