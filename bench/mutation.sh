#!/usr/bin/env bash
# Mutation testing of the rule modules with mutmut 3 (a bench, not part of `make test`).
#
#   bench/mutation.sh [MODULE ...]      MODULE: score explain ptc_files url quotes sourcing (default: the first four)
#
# Each module is mutated in its own scratch copy (bench/out/mutation/<module>/: src/, tests/ and a
# pyproject.toml whose [tool.mutmut] names the one file to mutate and the fast tests that pin it), so
# the runs do not share mutmut's state and the repository's own pyproject stays free of it.
# Prints, per module, mutmut's result counts and the score: killed / (all mutants - skipped).
# Needs the `mutation` extra (pip install -e '.[mutation]'). PY=<python> picks the interpreter.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
MUTMUT=${MUTMUT:-$(dirname "$PY")/mutmut}
CHILDREN=${CHILDREN:-1}

# module -> "file to mutate|pytest selection (fast, constructed-data tests)"
declare -A TARGET=(
  [score]="src/unspin/score.py|tests/test_score_explain.py tests/test_rules.py::test_sentence_score_is_the_max_over_overlapping_spans"
  [explain]="src/unspin/explain.py|tests/test_score_explain.py"
  [ptc_files]="src/unspin/ptc/files.py|tests/test_ptc_files.py"
  [url]="src/unspin/load/url.py|tests/test_url.py tests/test_input_edges.py tests/test_decode.py tests/test_rules.py::test_ipv6_tunnel_to_a_private_ipv4_is_refused tests/test_rules.py::test_6to4_of_a_public_ipv4_is_fetched"
  [quotes]="src/unspin/sourcing/quotes.py|tests/test_sourcing.py tests/test_rules.py::test_inch_mark_does_not_close_a_quote tests/test_rules.py::test_inch_mark_outside_a_quote_opens_nothing"
  [sourcing]="src/unspin/sourcing/*.py|tests/test_sourcing.py tests/test_rules.py"
)
MODULES=("$@")
[ ${#MODULES[@]} -gt 0 ] || MODULES=(score explain ptc_files url)

toml_list() {  # words -> a TOML list of strings
  local out="" w
  for w in "$@"; do out+="\"$w\", "; done
  echo "[${out%, }]"
}

for m in "${MODULES[@]}"; do
  IFS='|' read -r file selection <<<"${TARGET[$m]}"
  work=$ROOT/bench/out/mutation/$m
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$ROOT/src" "$ROOT/tests" "$work/"
  find "$work" -name __pycache__ -prune -exec rm -rf {} +
  # shellcheck disable=SC2086
  cat >"$work/pyproject.toml" <<TOML
[tool.mutmut]
source_paths = ["src"]
only_mutate = $(toml_list $file)
pytest_add_cli_args_test_selection = $(toml_list $selection)
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
use_git_change_detection = false
TOML
  start=$(date +%s)
  (cd "$work" && PYTHONPATH=src nice -n 10 "$MUTMUT" run --max-children "$CHILDREN" >run.log 2>&1) || true
  (cd "$work" && "$MUTMUT" results --all true >results.txt 2>&1) || true
  count() { grep -c ": $1\$" "$work/results.txt" || true; }
  killed=$(( $(count killed) + $(count timeout) ))
  skipped=$(count skipped)
  total=$(( $(grep -c ': ' "$work/results.txt" || true) - skipped ))
  pct=$([ "$total" -gt 0 ] && echo "scale=1; 100 * $killed / $total" | bc || echo "n/a")
  # mutmut's own score: (killed + timeout) / (all - skipped); survivors and untested mutants count against it
  echo "$m ($file): $killed of $total mutants killed ($pct%): $(count survived) survived, $(count 'no tests') untested; $(( $(date +%s) - start )) s"
done
