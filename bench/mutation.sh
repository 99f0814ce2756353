#!/usr/bin/env bash
# Mutation testing of the rule modules with mutmut 3 (a bench, not part of `make test`).
#
#   bench/mutation.sh [MODULE ...]      e.g. bench/mutation.sh score explain ptc_files url
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
  [score]="src/unspin/score.py|tests/test_rules.py -k score"
  [explain]="src/unspin/explain.py|tests/test_rules.py -k explain"
  [ptc_files]="src/unspin/ptc/files.py|tests/test_rules.py -k ptc"
  [url]="src/unspin/load/url.py|tests/test_rules.py -k url_or_ipv6_or_6to4"
  [decode]="src/unspin/detect/runtime.py|tests/test_rules.py -k decode"
  [sourcing]="src/unspin/sourcing/*.py|tests/test_sourcing.py tests/test_rules.py -k sourcing_or_inch"
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
  killed=$(grep -c ': killed$' "$work/results.txt" || true)
  survived=$(grep -c ': survived$' "$work/results.txt" || true)
  other=$(grep -vc ': killed$\|: survived$' "$work/results.txt" || true)
  total=$((killed + survived))
  pct=$([ "$total" -gt 0 ] && echo "scale=1; 100 * $killed / $total" | bc || echo "n/a")
  echo "$m ($file): $killed of $total mutants killed ($pct%), $survived survived, $other other; $(( $(date +%s) - start )) s"
done
