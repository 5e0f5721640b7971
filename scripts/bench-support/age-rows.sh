# The age rows of scripts/bench (sourced; scripts/bench-age runs them alone): what a cycle
# and `history --last 5` cost with five years of history against one week. Needs the
# helpers of bench-support/helpers.sh and NIGHTSHIFT, RUNS, WORK.

# age_site NAME: a site folder with a script whose cycle writes the metrics; one job that
# ran last night, so the cycles measured decide not to back up (min_interval) as most do.
age_site() {
    local dir=$WORK/age-$1 keep=""
    mkdir -p "$dir/state"
    # A binary older than history_keep (the "before" column) refuses the key.
    "$NIGHTSHIFT" api 2>/dev/null | grep -q history_keep && keep=', history_keep = "3650d"'
    cat >"$dir/site.lua" <<LUA
settings { self = "nas", self_sleep = "none", check_every = "6m", metrics = "$dir/nightshift.prom",
           state_dir = "$dir/state", log_file = "$dir/nightshift.log"$keep }
host "nas" { }
job "ServerZuBackup1" { source = "nas", target = "nas", time_sync = "none", run = { "true" } }
LUA
    echo "$dir"
}

age_rows() {
    local days label dir lines cyc rss hist hrss
    declare -A C_T C_R H_T H_R N
    for days in 7 1826; do
        dir=$(age_site "$days")
        N[$days]=$(python3 "$ROOT/scripts/bench-support/make-history.py" "$dir/state" "$days")
        note "age: $days days of history (${N[$days]} lines), $RUNS cycles"
        # Warm-up: the night (min_interval then holds the cycles below back) and, for a
        # history older than the counters, their one read of it.
        "$NIGHTSHIFT" run "$dir/site.lua" --once --no-sleep >/dev/null 2>&1 || true
        cyc=; rss=; hist=; hrss=
        for _ in $(seq "$RUNS"); do
            timed cyc "$NIGHTSHIFT" run "$dir/site.lua" --once --no-sleep
            rss+=" $(peak "$NIGHTSHIFT" run "$dir/site.lua" --once --no-sleep)"
            timed hist "$NIGHTSHIFT" history --state-dir "$dir/state" --last 5
            hrss+=" $(peak "$NIGHTSHIFT" history --state-dir "$dir/state" --last 5)"
        done
        grep -q '^nightshift_job_runs_total' "$dir/nightshift.prom" || note "age: no metrics written for $days days"
        C_T[$days]=$(median <<<"$cyc"); C_R[$days]=$(median <<<"$rss")
        H_T[$days]=$(median <<<"$hist"); H_R[$days]=$(median <<<"$hrss")
    done
    local rt rr ok
    rt=$(div "${C_T[1826]}" "${C_T[7]}"); rr=$(div "${C_R[1826]}" "${C_R[7]}")
    ok=$(meets "$rt" "<=" 1.1); [[ $(meets "$rr" "<=" 1.1) == ok ]] || ok=MISS
    row "cycle, 5 years of history (${N[1826]} lines) vs 1 week (${N[7]}), metrics on" \
        "$(ms "${C_T[1826]}"), $(mib "${C_R[1826]}") peak" "$(ms "${C_T[7]}"), $(mib "${C_R[7]}") peak" \
        "$rt wall, $rr RSS" "ratio <= 1.1 (wall and RSS)" "$ok"
    ok=$(meets "${H_T[1826]}" "<=" 0.05); [[ $(meets "${H_R[1826]}" "<=" 32768) == ok ]] || ok=MISS
    row "history --last 5, 5 years vs 1 week" "$(ms "${H_T[1826]}"), $(mib "${H_R[1826]}") peak" \
        "$(ms "${H_T[7]}"), $(mib "${H_R[7]}") peak" "$(div "${H_T[1826]}" "${H_T[7]}")" "<= 50 ms, <= 32 MiB" "$ok"
}
