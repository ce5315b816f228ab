"""`python -m bench` at a tiny size: every benchmark still runs the real bot and gives its row.

The figures themselves are not asserted (some targets are not met today); the table is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cases import FIGURES, START_UP, STATUS_CALLS
from bench.cli import RESULTS, main
from bench.report import Figure, Kind, Row, Sample, render


def table_row(text: str, figure: Figure) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"| {figure.name} |"))
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_every_benchmark_gives_a_measured_row_at_tiny_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = RESULTS.read_bytes() if RESULTS.exists() else None
    output = tmp_path / "RESULTS.md"
    assert main(["--size", "tiny", "--runs", "1", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert "Failed" not in text
    for figure in FIGURES:
        _, measured, limit, ratio, target, met = table_row(text, figure)
        assert measured not in {"", "—"}, figure.name
        assert target == figure.target
        if figure.kind is Kind.REPORT:
            assert met == "—"
        else:
            assert met in {"yes", "no"}
        if figure.kind is Kind.RATIO:
            assert limit != "—", figure.name
            assert ratio != "—", figure.name
    assert "cores" in text  # the machine is named
    assert "Python" in text
    assert capsys.readouterr().out.strip() == text.strip()  # the same table was printed
    assert (RESULTS.read_bytes() if RESULTS.exists() else None) == committed


def test_table_shows_median_with_spread_and_judges_the_median() -> None:
    calls = Row(STATUS_CALLS, [Sample(150, 150), Sample(160, 150), Sample(150, 150)])
    extra = Figure("isolation", "w", "l", "≤ 1 s extra", Kind.EXTRA, 1.0, "s")
    slow = Row(extra, [Sample(10.5, 0.2), Sample(0.9, 0.1), Sample(1.1, 0.2)])
    lossy = Row(STATUS_CALLS, [Sample(100, 100), Sample(100, 100, ok=False, note="2 lost.")])
    started = Row(START_UP, [Sample(1.2), Sample(1.4), Sample(1.3)])
    text = render([calls, slow, lossy, started], runs=3, size="full", machine_line="2 cores")
    assert table_row(text, STATUS_CALLS) == [
        "status calls per poll cycle", "150 (150–160)", "150", "1.00 (1.00–1.07)", "1.00", "yes"
    ]  # fmt: skip
    assert table_row(text, extra)[1:] == [
        "1.10 s (0.90 s–10.50 s)", "0.20 s (0.10 s–0.20 s)", "+0.90 s (+0.80 s–+10.30 s)",
        "≤ 1 s extra", "yes",
    ]  # fmt: skip
    assert lossy.met == "no"  # a broken condition in any run
    assert "2 lost." in text
    assert table_row(text, START_UP)[1:] == ["1.30 s (1.20 s–1.40 s)", "—", "—", "report", "—"]
