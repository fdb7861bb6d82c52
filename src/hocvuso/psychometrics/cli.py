"""Core of the ``hocvuso irt`` command: ``calibrate`` and ``simulate``.

The console script wires ``hocvuso irt ARGS`` to :func:`main`.  Malformed input
files and invalid options print ``error: FILE line N: what is wrong`` to stderr
and return exit code 2; no traceback is shown.  File formats are described in
:mod:`hocvuso.psychometrics.io` and ``docs/psychometrics.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from hocvuso.psychometrics.calibration import MODELS, calibrate
from hocvuso.psychometrics.catbank import (
    ESTIMATORS,
    SELECTION_METHODS,
    CatConfig,
    ExposureMethod,
    ItemBank,
)
from hocvuso.psychometrics.errors import InputFormatError
from hocvuso.psychometrics.io import (
    read_params_csv,
    read_responses_csv,
    write_params_csv,
)
from hocvuso.psychometrics.simulation import simulate_cat, sympson_hetter_calibrate

__all__ = ["main"]

EXIT_OK = 0
EXIT_USAGE = 2


class _UsageError(Exception):
    """An option combination that argparse cannot express."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _rate(text: str) -> float:
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a rate in (0, 1], got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of exiting, so main() returns codes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hocvuso irt",
        description="Item response theory: calibrate item banks, simulate CATs.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cal = sub.add_parser(
        "calibrate",
        help="estimate item parameters from long-form responses",
        description="Calibrate items by marginal maximum likelihood (EM).",
    )
    cal.add_argument(
        "responses", metavar="RESPONSES.csv", help="person_id,item_id,response"
    )
    cal.add_argument("--model", choices=MODELS, default="2pl", help="default: 2pl")
    cal.add_argument("--out", required=True, metavar="PARAMS.csv", help="item_id,a,b,c")
    cal.add_argument(
        "--anchors",
        metavar="PARAMS.csv",
        help="fixed parameters of anchor items (item_id,a,b[,c])",
    )
    cal.add_argument(
        "--report",
        metavar="FILE.json",
        help="write the fit report here instead of printing it",
    )
    cal.add_argument("--quadrature", type=_positive_int, default=41, metavar="N")
    cal.add_argument("--max-iter", type=_positive_int, default=500, metavar="N")
    cal.add_argument("--tol", type=_positive_float, default=1e-4, metavar="X")
    cal.add_argument(
        "--no-prior",
        action="store_true",
        help="plain ML: no lognormal prior on a (the 3PL keeps its prior on c)",
    )

    sim = sub.add_parser(
        "simulate",
        help="simulate adaptive tests on an item bank",
        description="Simulate CATs for N(0, 1) simulees and summarise them.",
    )
    sim.add_argument("--bank", required=True, metavar="PARAMS.csv")
    sim.add_argument("--examinees", type=_positive_int, required=True, metavar="N")
    sim.add_argument("--seed", type=_non_negative_int, default=0, metavar="S")
    sim.add_argument(
        "--se", type=_positive_float, default=None, metavar="X", help="SE stop target"
    )
    sim.add_argument("--max-items", type=_positive_int, default=30, metavar="N")
    sim.add_argument("--min-items", type=_non_negative_int, default=1, metavar="N")
    sim.add_argument(
        "--content-col", metavar="COL", help="bank column of content areas"
    )
    sim.add_argument("--content-min", type=_non_negative_int, metavar="K")
    sim.add_argument("--content-max", type=_positive_int, metavar="K")
    sim.add_argument(
        "--max-exposure",
        type=_rate,
        metavar="R",
        help="target exposure rate; implies --exposure sympson_hetter",
    )
    sim.add_argument(
        "--exposure",
        choices=("none", "randomesque", "progressive", "sympson_hetter"),
        default=None,
    )
    sim.add_argument(
        "--sh-margin",
        type=_non_negative_float,
        default=0.015,
        metavar="M",
        help="calibrate Sympson-Hetter k for R - M, leaving room for sampling noise",
    )
    sim.add_argument("--sh-iterations", type=_positive_int, default=10, metavar="N")
    sim.add_argument("--sh-simulees", type=_positive_int, default=None, metavar="N")
    sim.add_argument("--cut", type=_finite_float, metavar="THETA")
    sim.add_argument("--confidence", type=_rate, default=0.95, metavar="P")
    sim.add_argument("--selection", choices=SELECTION_METHODS, default="mfi")
    sim.add_argument("--estimator", choices=ESTIMATORS, default="eap")
    sim.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _calibrate(args: argparse.Namespace, out: TextIO) -> int:
    responses = read_responses_csv(args.responses)
    item_pos = {item: j for j, item in enumerate(responses.item_ids)}
    anchors: dict[int, tuple[float, float, float]] = {}
    unused: list[str] = []
    if args.anchors:
        params = read_params_csv(args.anchors)
        for item, a, b, c, line in zip(
            params.item_ids, params.a, params.b, params.c, params.lines, strict=True
        ):
            if args.model != "3pl" and c != 0:
                raise InputFormatError(
                    args.anchors,
                    line,
                    f"anchor {item!r} has c = {c:g} but the model is {args.model}",
                )
            if item in item_pos:
                anchors[item_pos[item]] = (float(a), float(b), float(c))
            else:
                unused.append(item)
    fit = calibrate(
        responses.data,
        args.model,
        anchors=anchors,
        a_prior=None if args.no_prior else (0.0, 0.5),
        n_quad=args.quadrature,
        max_iter=args.max_iter,
        tol=args.tol,
    )
    write_params_csv(args.out, responses.item_ids, fit.a, fit.b, fit.c)
    report = fit.report(list(responses.item_ids))
    document = {
        **report,
        "anchors_used": len(anchors),
        "anchors_not_in_responses": unused,
    }
    text = json.dumps(document, indent=2, allow_nan=False)
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
        print(
            f"{report['n_items']} items, {report['n_persons']} persons, "
            f"{report['n_responses']} responses; "
            f"{'converged' if fit.converged else 'NOT converged'} after "
            f"{fit.n_iterations} iterations; log-likelihood {fit.log_likelihood:.3f}; "
            f"{report['flagged_items']} item(s) flagged; parameters in {args.out}",
            file=out,
        )
    else:
        print(text, file=out)
    if not fit.converged:
        print(
            f"warning: EM did not converge in {fit.n_iterations} iterations "
            f"(largest change {fit.max_change:.2g}); try --max-iter",
            file=sys.stderr,
        )
    return EXIT_OK


def _simulate(args: argparse.Namespace, out: TextIO) -> int:
    wants_content = args.content_min is not None or args.content_max is not None
    if wants_content and not args.content_col:
        raise _UsageError("--content-min/--content-max need --content-col")
    params = read_params_csv(args.bank, content_col=args.content_col)
    exposure: ExposureMethod = args.exposure or (
        "sympson_hetter" if args.max_exposure is not None else "none"
    )
    content: dict[str, tuple[int, int | None]] = {}
    if params.areas is not None and (
        args.content_min is not None or args.content_max is not None
    ):
        for area in sorted(set(params.areas)):
            content[area] = (args.content_min or 0, args.content_max)
    try:
        config = CatConfig(
            selection=args.selection,
            estimator=args.estimator,
            min_items=min(args.min_items, args.max_items),
            max_items=args.max_items,
            se_target=args.se,
            cut=args.cut,
            confidence=args.confidence,
            content=content,
            exposure=exposure,
            max_exposure=args.max_exposure if args.max_exposure is not None else 0.25,
        )
        bank = ItemBank.from_arrays(
            params.item_ids, params.a, params.b, params.c, areas=params.areas
        )
        started = time.perf_counter()
        rng = np.random.default_rng(args.seed)
        theta_rng, sh_rng, sim_rng = rng.spawn(3)
        thetas = theta_rng.normal(0.0, 1.0, args.examinees)
        sh_seconds = 0.0
        if exposure == "sympson_hetter":
            target = config.max_exposure - args.sh_margin
            if target <= 0:
                raise _UsageError("--sh-margin must be smaller than --max-exposure")
            k = sympson_hetter_calibrate(
                bank,
                config,
                target_rate=target,
                n_simulees=args.sh_simulees or max(args.examinees, 1000),
                iterations=args.sh_iterations,
                rng=sh_rng,
            )
            bank = bank.with_sh_k(k)
            sh_seconds = time.perf_counter() - started
        report = simulate_cat(bank, config, thetas, sim_rng)
    except ValueError as exc:
        raise _UsageError(str(exc)) from exc
    summary: dict[str, object] = dict(report.summary())
    summary["seconds"] = time.perf_counter() - started
    summary["examinees"] = args.examinees
    summary["mean_se"] = float(np.mean(report.se))
    summary["stop_reasons"] = report.stop_reasons
    summary["sympson_hetter_seconds"] = sh_seconds
    if args.json:
        print(json.dumps(summary, indent=2), file=out)
    else:
        for key, value in summary.items():
            if isinstance(value, float):
                shown = f"{value:.4f}"
            elif isinstance(value, dict):
                shown = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
            else:
                shown = str(value)
            print(f"{key:>24}: {shown}", file=out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run ``hocvuso irt`` with ``argv`` (without the program name).

    Returns
    -------
    int
        0 on success, 2 for malformed input files or invalid options.
    """
    out = stdout if stdout is not None else sys.stdout
    parser = _build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command == "calibrate":
            return _calibrate(args, out)
        return _simulate(args, out)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except _UsageError as exc:
        print(f"error: {exc} (see 'hocvuso irt --help')", file=sys.stderr)
        return EXIT_USAGE
    except InputFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
