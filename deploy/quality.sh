#!/usr/bin/env bash
# `make quality`: Khabar's enrichment scored by the shared scorer on the shared dev sets.
# Usage: deploy/quality.sh [SHARED_DIR]   (default ../shared; skipped when it is absent)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
khabar=.venv/bin/khabar
score="python3 $shared/eval/score.py"
if [ ! -f "$shared/eval/score.py" ]; then
  echo "no $shared/eval/score.py here: skipping the quality run"; exit 0
fi
out=${KHABAR_STATE_DIR:-.state}/quality
mkdir -p "$out"

$score make-input "$shared/eval/dev" -o "$out/dev.jsonl"
"$khabar" enrich "$out/dev.jsonl" -o "$out/dev.out.jsonl"
$score all "$shared/eval/dev" "$out/dev.out.jsonl" >"$out/dev.score.json"

$score make-input "$shared/eval/zwnj-dev.jsonl" --strip-zwnj -o "$out/zwnj.jsonl"
"$khabar" enrich "$out/zwnj.jsonl" -o "$out/zwnj.out.jsonl"
$score zwnj "$shared/eval/zwnj-dev.jsonl" "$out/zwnj.out.jsonl" >"$out/zwnj.score.json"

"$khabar" ner tag "$shared/data/peyma/dev.txt" "$out/peyma-dev.conll"
$score conll "$shared/data/peyma/dev.txt" "$out/peyma-dev.conll" >"$out/ner.score.json"

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
dev, zw, ner = (json.load(open(f"{out}/{name}.score.json")) for name in ("dev", "zwnj", "ner"))
rows = [
    ("ZWNJ restoration F1 (zwnj-dev)", zw["zwnj"]["zwnj"]["f1"], 0.97),
    ("Spaces kept F1 (zwnj-dev)", zw["zwnj"]["space"]["f1"], 0.99),
    ("NER PER/ORG/LOC micro F1 (PEYMA dev)", ner["micro"]["f1"], 0.90),
    ("Entities typed F1 (dev articles)", dev["entities_typed"]["f1"], 0.85),
    ("Quotes with the right speaker F1 (dev articles)", dev["quotes"]["attributed"]["f1"], 0.85),
]
print("\n| What | Khabar | Target |\n|---|---|---|")
for name, value, target in rows:
    print(f"| {name} | {value:.3f} | ≥ {target:.2f} |")
print(f"\n(quote spans F1 {dev['quotes']['span']['f1']:.3f}; full reports in {out}/*.score.json)")
PY
