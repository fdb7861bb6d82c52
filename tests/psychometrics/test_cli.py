"""The ``hocvuso irt`` command core: formats, output and error messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from hocvuso.psychometrics.cli import main

RESPONSE_HEADER = "person_id,item_id,response\n"


def write_responses(
    path: Path, seed: int = 0, n_persons: int = 600, n_items: int = 12
) -> None:
    """Write a long-form file where each person answers a random 8 items."""
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0, 0.25, n_items)
    b = rng.normal(0, 1, n_items)
    lines = [RESPONSE_HEADER]
    for p in range(n_persons):
        theta = rng.normal()
        for j in rng.choice(n_items, 8, replace=False):
            y = int(rng.random() < 1 / (1 + np.exp(-a[j] * (theta - b[j]))))
            lines.append(f"p{p},q{j:02d},{y}\n")
    path.write_text("".join(lines), encoding="utf-8")


def write_bank(path: Path, n: int = 80, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    rows = ["item_id,a,b,c,domain\n"]
    for j in range(n):
        rows.append(
            f"q{j:03d},{rng.lognormal(0.2, 0.2):.4f},{rng.normal():.4f},0,D{j % 4}\n"
        )
    path.write_text("".join(rows), encoding="utf-8")


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, stdout=out)
    return code, out.getvalue()


# ---------------------------------------------------------------------- calibrate


def test_calibrate_writes_parameters_and_prints_report(tmp_path: Path) -> None:
    """PARAMS.csv has item_id,a,b,c; the JSON report goes to stdout."""
    responses, params = tmp_path / "responses.csv", tmp_path / "params.csv"
    write_responses(responses)
    code, out = run(
        ["calibrate", str(responses), "--model", "2pl", "--out", str(params)]
    )
    assert code == 0
    report = json.loads(out)
    assert report["converged"] is True
    assert report["model"] == "2pl" and report["metric"] == "logistic (D = 1)"
    assert {"iterations", "log_likelihood", "items", "flagged_items"} <= set(report)
    with params.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["item_id", "a", "b", "c"]
    assert len(rows) == 12
    assert all(float(r["a"]) > 0 and float(r["c"]) == 0 for r in rows)
    assert {r["item_id"] for r in rows} == {item["item_id"] for item in report["items"]}


def test_calibrate_report_file_and_anchors(tmp_path: Path) -> None:
    """--anchors fixes the listed items; --report writes the JSON to a file."""
    responses, params = tmp_path / "r.csv", tmp_path / "p.csv"
    anchors, report = tmp_path / "anchors.csv", tmp_path / "fit.json"
    write_responses(responses, seed=1)
    anchors.write_text("item_id,a,b,c\nq00,1.1,0.2,0\nq01,0.9,-0.4,0\nzz,1,0,0\n")
    code, out = run(
        [
            "calibrate",
            str(responses),
            "--out",
            str(params),
            "--anchors",
            str(anchors),
            "--report",
            str(report),
            "--model",
            "2pl",
        ]
    )
    assert code == 0
    assert "converged" in out and str(params) in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["anchors_used"] == 2
    assert data["anchors_not_in_responses"] == ["zz"]
    fixed = {i["item_id"]: i for i in data["items"] if i["anchor"]}
    assert fixed["q00"]["a"] == pytest.approx(1.1) and fixed["q01"][
        "b"
    ] == pytest.approx(-0.4)


@pytest.mark.parametrize("model", ["1pl", "3pl"])
def test_calibrate_other_models(tmp_path: Path, model: str) -> None:
    """1PL shares one slope; the 3PL writes c."""
    responses, params = tmp_path / "r.csv", tmp_path / "p.csv"
    write_responses(responses, seed=2)
    code, _ = run(
        [
            "calibrate",
            str(responses),
            "--model",
            model,
            "--out",
            str(params),
            "--max-iter",
            "60",
        ]
    )
    assert code == 0
    with params.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if model == "1pl":
        assert len({r["a"] for r in rows}) == 1
    else:
        assert all(0 < float(r["c"]) < 0.5 for r in rows)


MALFORMED_RESPONSES = [
    ("", "file is empty; expected a header person_id,item_id,response"),
    (
        "person,item,response\np1,q1,1\n",
        "line 1: header lacks column(s) person_id, item_id",
    ),
    (RESPONSE_HEADER, "no responses after the header"),
    (
        RESPONSE_HEADER + "p1,q1,1\np1,q2,2\n",
        "line 3: response must be 0 or 1, got '2'",
    ),
    (RESPONSE_HEADER + "p1,q1,yes\n", "line 2: response must be 0 or 1, got 'yes'"),
    (RESPONSE_HEADER + "p1,q1\n", "line 2: expected 3 fields like the header, got 2"),
    (RESPONSE_HEADER + ",q1,1\n", "line 2: person_id is empty"),
    (RESPONSE_HEADER + "p1,,1\n", "line 2: item_id is empty"),
    (
        RESPONSE_HEADER + "p1,q1,1\np2,q1,0\n\np1,q1,0\n",
        "line 5: person 'p1' already answered item 'q1' on line 2",
    ),
    (
        "person_id,item_id,response,person_id\n",
        "line 1: column 'person_id' appears twice",
    ),
    (RESPONSE_HEADER + 'p1,"q1,1\n', "line 2: malformed CSV"),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED_RESPONSES)
def test_calibrate_rejects_malformed_responses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    """Exit code 2 and 'error: FILE line N: problem' on stderr, no traceback."""
    path = tmp_path / "RESPONSES.csv"
    path.write_text(content, encoding="utf-8")
    code, out = run(["calibrate", str(path), "--out", str(tmp_path / "p.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {path}")
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "p.csv").exists()


def test_calibrate_rejects_non_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Binary junk is reported with its line."""
    path = tmp_path / "r.csv"
    path.write_bytes(RESPONSE_HEADER.encode() + b"p1,q\xff1,1\n")
    assert run(["calibrate", str(path), "--out", str(tmp_path / "p.csv")])[0] == 2
    assert "line 2: not valid UTF-8 text" in capsys.readouterr().err


def test_calibrate_accepts_bom_extra_columns_and_blank_lines(tmp_path: Path) -> None:
    """A BOM, CRLF, extra columns, blank lines and padded cells are fine."""
    path = tmp_path / "r.csv"
    rows = ["\ufeffresponse,person_id,item_id,session\r\n"]
    rng = np.random.default_rng(0)
    for p in range(200):
        for j in range(4):
            rows.append(f"{int(rng.random() < 0.3 + 0.1 * j)},p{p},q{j},s1\r\n")
    rows.append("\r\n   \r\n 1 , p9999 , q0 , s2\r\n")
    path.write_text("".join(rows), encoding="utf-8")
    code, out = run(["calibrate", str(path), "--out", str(tmp_path / "p.csv")])
    assert code == 0
    report = json.loads(out)
    assert report["n_responses"] == 801
    assert report["n_persons"] == 201 and report["n_items"] == 4


@pytest.mark.parametrize(
    ("anchors", "message"),
    [
        ("item_id,a,b\nq00,-1,0\n", "line 2: a must be positive, got -1"),
        ("item_id,a,b\nq00,x,0\n", "line 2: a must be a number, got 'x'"),
        (
            "item_id,a,b,c\nq00,1,0,0.2\n",
            "line 2: anchor 'q00' has c = 0.2 but the model is 2pl",
        ),
        ("item_id,a,b,c\nq00,1,0,1.5\n", "line 2: c must lie in [0, 1), got 1.5"),
        (
            "item_id,a,b\nq00,1,0\nq00,1,1\n",
            "line 3: item 'q00' already listed on line 2",
        ),
        ("item_id,a\nq00,1\n", "line 1: header lacks column(s) b"),
        ("item_id,a,b\nq00,1,nan\n", "line 2: b must be finite, got 'nan'"),
    ],
)
def test_calibrate_rejects_malformed_anchors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], anchors: str, message: str
) -> None:
    """Anchor files get the same line-numbered messages."""
    responses, anchor_file = tmp_path / "r.csv", tmp_path / "anchors.csv"
    write_responses(responses, n_persons=50)
    anchor_file.write_text(anchors, encoding="utf-8")
    code, _ = run(
        [
            "calibrate",
            str(responses),
            "--out",
            str(tmp_path / "p.csv"),
            "--anchors",
            str(anchor_file),
        ]
    )
    assert code == 2
    assert f"error: {anchor_file} {message}" in capsys.readouterr().err


def test_missing_file_and_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unreadable files and invalid options exit with 2 and a message."""
    code, _ = run(
        ["calibrate", str(tmp_path / "none.csv"), "--out", str(tmp_path / "p.csv")]
    )
    assert code == 2
    assert "cannot read file" in capsys.readouterr().err
    code, _ = run(["calibrate", "x.csv", "--out", "p.csv", "--model", "4pl"])
    assert code == 2
    assert "invalid choice: '4pl'" in capsys.readouterr().err
    assert run(["calibrate", "x.csv"])[0] == 2
    assert "--out" in capsys.readouterr().err
    assert run([])[0] == 2
    capsys.readouterr()
    assert run(["--help"])[0] == 0


# ----------------------------------------------------------------------- simulate


def test_simulate_json(tmp_path: Path) -> None:
    """--json prints the documented figures."""
    bank = tmp_path / "bank.csv"
    write_bank(bank)
    code, out = run(
        [
            "simulate",
            "--bank",
            str(bank),
            "--examinees",
            "60",
            "--seed",
            "4",
            "--se",
            "0.4",
            "--max-items",
            "20",
            "--content-col",
            "domain",
            "--content-min",
            "2",
            "--cut",
            "0.5",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(out)
    for key in (
        "mean_items",
        "rmse",
        "bias",
        "max_exposure",
        "content_violations",
        "reached_se",
        "classification_accuracy",
        "seconds",
    ):
        assert key in data
    assert data["content_violations"] == 0
    assert 0 <= data["classification_accuracy"] <= 1
    assert data["mean_items"] <= 20
    # Same seed, same figures.
    again = json.loads(
        run(
            [
                "simulate",
                "--bank",
                str(bank),
                "--examinees",
                "60",
                "--seed",
                "4",
                "--se",
                "0.4",
                "--max-items",
                "20",
                "--content-col",
                "domain",
                "--content-min",
                "2",
                "--cut",
                "0.5",
                "--json",
            ]
        )[1]
    )
    assert again["rmse"] == data["rmse"]


def test_simulate_with_exposure_control(tmp_path: Path) -> None:
    """--max-exposure runs the Sympson-Hetter calibration first."""
    bank = tmp_path / "bank.csv"
    write_bank(bank, n=60)
    code, out = run(
        [
            "simulate",
            "--bank",
            str(bank),
            "--examinees",
            "40",
            "--max-items",
            "8",
            "--max-exposure",
            "0.4",
            "--sh-iterations",
            "2",
            "--sh-simulees",
            "80",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(out)
    assert data["max_exposure"] < 1.0
    assert data["reached_se"] is None and data["classification_accuracy"] is None


def test_simulate_text_output(tmp_path: Path) -> None:
    """Without --json a readable table is printed."""
    bank = tmp_path / "bank.csv"
    write_bank(bank)
    code, out = run(
        ["simulate", "--bank", str(bank), "--examinees", "5", "--max-items", "5"]
    )
    assert code == 0
    assert "mean_items" in out and "{" not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--content-min", "2"], "--content-min/--content-max need --content-col"),
        (["--content-col", "nope"], "line 1: header lacks column(s) nope"),
        (
            ["--content-col", "domain", "--content-min", "30", "--max-items", "200"],
            "needs 30 items but the bank has 20",
        ),
        (
            ["--content-col", "domain", "--content-min", "9", "--max-items", "30"],
            "add up to more than max_items",
        ),
        (["--max-exposure", "1.5"], "expected a rate in (0, 1]"),
        (["--examinees", "0"], "expected a positive integer"),
        (
            ["--max-exposure", "0.2", "--sh-margin", "0.3"],
            "--sh-margin must be smaller than --max-exposure",
        ),
    ],
)
def test_simulate_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    """Invalid simulate options exit with 2 and a clear message."""
    bank = tmp_path / "bank.csv"
    write_bank(bank)
    args = ["simulate", "--bank", str(bank), "--examinees", "5", *extra]
    assert run(args)[0] == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
