r"""Quality and speed of the learning assistant's retrieval on the default pack.

Reads the default content pack from its files (no database), builds the
assistant's index once per normalisation option and asks every question of
tests/assistant/questions.yaml. For each option it reports recall@1, recall@3
and MRR over the answerable questions (a hit is any of the labelled lessons),
the abstention rate on the unanswerable ones and the false-abstention rate on
the answerable ones, and the latency p50/p95 of one question (search only).
The first option, ``plain`` (accented words only, as a naive index would do),
is the baseline every other one is compared against in the same run.

It also sweeps the confidence threshold for the full option, so the value in
``hocvuso.assistant.index.CONFIDENT_AT`` is shown, not asserted, and measures
the word segmenter pyvi when it is installed (it is not a dependency: see the
results for why).

    .venv/bin/python benchmarks/assistant.py [--repeat 3]

Writes benchmarks/results/assistant.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "assistant" / "questions.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "assistant.json"


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.settings")
    os.environ.setdefault("HOCVUSO_DATA_DIR", str(ROOT / "var" / "bench-assistant"))
    import django

    django.setup()


def evaluate(
    index: Any, questions: list[dict[str, Any]], threshold: float
) -> dict[str, float]:
    """Return the quality and latency figures of ``index`` on ``questions``."""
    r1 = r3 = rr = 0.0
    answerable = [q for q in questions if q["lessons"]]
    none = [q for q in questions if not q["lessons"]]
    false_abstain = abstain = 0
    times: list[float] = []
    for q in questions:
        t = time.perf_counter()
        result = index.search(q["q"])
        times.append((time.perf_counter() - t) * 1000)
        ranked = [h.passage.lesson for h in result.hits]
        confident = bool(result.hits) and result.coverage >= threshold
        if q["lessons"]:
            ranks = [ranked.index(x) + 1 for x in q["lessons"] if x in ranked]
            best = min(ranks) if ranks else 0
            r1 += best == 1
            r3 += 0 < best <= 3
            rr += 1 / best if best else 0
            false_abstain += not confident
        else:
            abstain += not confident
    n = len(answerable)
    times.sort()
    return {
        "recall@1": round(r1 / n, 3),
        "recall@3": round(r3 / n, 3),
        "mrr": round(rr / n, 3),
        "abstention_unanswerable": round(abstain / max(1, len(none)), 3),
        "false_abstention_answerable": round(false_abstain / n, 3),
        "latency_ms_p50": round(statistics.median(times), 3),
        "latency_ms_p95": round(times[int(0.95 * (len(times) - 1))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds")
    args = parser.parse_args()
    _setup()
    from hocvuso.assistant import index as ix
    from hocvuso.assistant import normalize as nz
    from hocvuso.assistant.pack_sections import pack_synonyms
    from hocvuso.assistant.store import pack_lesson_docs, passages_from
    from hocvuso.packs.reader import pack_read
    from hocvuso.packs.seed import DEFAULT_PACK
    from hocvuso.packs.source import PackSource

    report = pack_read(PackSource.open(DEFAULT_PACK), database=False)
    assert report.pack is not None and not report.issues, report.issues
    passages = passages_from(pack_lesson_docs(report.pack))
    synonyms = pack_synonyms(report.pack)
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    none = nz.Options(
        fold=False, accents=False, bigrams=False, synonyms=False, typos=False
    )
    options = {
        "plain (NFC + lower case, accented words)": none,
        "+ diacritic folding": replace(none, fold=True),
        "+ accented field": replace(none, fold=True, accents=True),
        "+ syllable bigrams": replace(none, fold=True, accents=True, bigrams=True),
        "+ synonym table": replace(nz.FULL, typos=False),
        "+ one-letter typos (full, shipped)": nz.FULL,
    }
    if importlib.util.find_spec("pyvi") is not None:
        options["full + pyvi word segmenter"] = replace(nz.FULL, segmenter="pyvi")
    rows: dict[str, Any] = {}
    base_p50 = 0.0
    full_index = None
    for name, opts in options.items():
        t = time.perf_counter()
        index = ix.AssistantIndex(passages, synonyms, options=opts)
        build_ms = (time.perf_counter() - t) * 1000
        runs = [evaluate(index, questions, ix.CONFIDENT_AT) for _ in range(args.repeat)]
        row = dict(runs[-1])
        row["latency_ms_p50"] = min(r["latency_ms_p50"] for r in runs)
        row["latency_ms_p95"] = min(r["latency_ms_p95"] for r in runs)
        row["build_ms"] = round(build_ms, 1)
        base_p50 = base_p50 or row["latency_ms_p50"]
        row["p50_vs_plain"] = round(row["latency_ms_p50"] / base_p50, 2)
        rows[name] = row
        if opts == nz.FULL:
            full_index = index
        print(
            f"{name:42} r@1 {row['recall@1']:.3f}  r@3 {row['recall@3']:.3f}  "
            f"MRR {row['mrr']:.3f}  abstain {row['abstention_unanswerable']:.2f}  "
            f"false-abstain {row['false_abstention_answerable']:.2f}  "
            f"p50 {row['latency_ms_p50']:.2f} ms (x{row['p50_vs_plain']})  "
            f"p95 {row['latency_ms_p95']:.2f} ms  build {row['build_ms']:.0f} ms"
        )
    assert full_index is not None
    sweep = {}
    for t in [round(0.3 + 0.05 * i, 2) for i in range(11)]:
        r = evaluate(full_index, questions, t)
        sweep[str(t)] = {
            "abstention_unanswerable": r["abstention_unanswerable"],
            "false_abstention_answerable": r["false_abstention_answerable"],
        }
    print("threshold sweep (full):", json.dumps(sweep))
    kinds: dict[str, dict[str, float]] = {}
    for kind in sorted({q["kind"] for q in questions} - {"none"}):
        subset = [q for q in questions if q["kind"] == kind]
        r = evaluate(full_index, subset, ix.CONFIDENT_AT)
        kinds[kind] = {"n": len(subset), "recall@3": r["recall@3"], "mrr": r["mrr"]}
    print("full, per kind:", json.dumps(kinds))
    out = {
        "benchmark": "assistant retrieval on the default pack",
        "questions": len(questions),
        "answerable": sum(1 for q in questions if q["lessons"]),
        "unanswerable": sum(1 for q in questions if not q["lessons"]),
        "passages": len(passages),
        "threshold": ix.CONFIDENT_AT,
        "options": rows,
        "threshold_sweep_full": sweep,
        "full_by_kind": kinds,
        "segmenter": (
            "pyvi measured above (installed outside the project for the run): it "
            "joins words only in accented text ('kích_hoạt'), not in the unaccented "
            "questions most learners type, and brings scikit-learn and CRF models "
            "(about 90 MB); not adopted"
            if "full + pyvi word segmenter" in rows
            else "pyvi not installed: not measured in this run (see docs/assistant.md)"
        ),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
