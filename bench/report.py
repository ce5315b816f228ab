"""Figures, their per-run samples, the median-of-runs summary and the results table."""

from __future__ import annotations

import os
import platform
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum


class Kind(Enum):
    """How a run's measurement is judged against its target."""

    RATIO = "ratio"  # measured / limit <= bound
    EXTRA = "extra"  # measured - limit <= bound (seconds)
    VALUE = "value"  # measured <= bound (no limit)
    REPORT = "report"  # reported only


@dataclass(frozen=True)
class Figure:
    """One row of the table: what is measured, against what, and the target."""

    name: str
    workload: str
    limit_text: str
    target: str
    kind: Kind
    bound: float | None
    unit: str  # "calls", "s", "ms", "MB"


@dataclass(frozen=True)
class Sample:
    """One run's measurement; the limit is computed in the same run.

    `ok` is False when a condition besides the number is broken in this run (a lost or
    repeated push, a stand-in that does not enforce what the figure needs); `note` says which.
    """

    measured: float
    limit: float | None = None
    ok: bool = True
    note: str = ""

    def score(self, kind: Kind) -> float | None:
        if kind is Kind.RATIO:
            if self.limit is None or self.limit <= 0:
                return None
            return self.measured / self.limit
        if kind is Kind.EXTRA:
            return None if self.limit is None else self.measured - self.limit
        if kind is Kind.VALUE:
            return self.measured
        return None


@dataclass
class Row:
    figure: Figure
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    warnings: Counter[str] = field(default_factory=Counter)
    """Warnings the bot logged during this figure's runs, by logger and message template."""

    def _values(self, pick: Callable[[Sample], float | None]) -> list[float]:
        return [value for sample in self.samples if (value := pick(sample)) is not None]

    @property
    def scores(self) -> list[float]:
        return self._values(lambda s: s.score(self.figure.kind))

    @property
    def met(self) -> str:
        if self.figure.kind is Kind.REPORT:
            return "—"
        scores = self.scores
        if self.error or not scores or self.figure.bound is None:
            return "no"
        if not all(sample.ok for sample in self.samples):
            return "no"
        return "yes" if round(statistics.median(scores), 2) <= self.figure.bound else "no"

    @property
    def notes(self) -> list[str]:
        notes = [self.error] if self.error else []
        for note in dict.fromkeys(s.note for s in self.samples if s.note):
            notes.append(note)
        if self.warnings:
            logged = "; ".join(f"{count}× {text}" for text, count in self.warnings.most_common())
            notes.append(f"The bot logged warnings during the runs: {logged}.")
        return notes

    def measured_text(self) -> str:
        return _spread(self._values(lambda s: s.measured), self.figure.unit)

    def limit_text(self) -> str:
        limits = self._values(lambda s: s.limit)
        return _spread(limits, self.figure.unit) if limits else "—"

    def score_text(self) -> str:
        scores = self.scores
        if not scores:
            return "—"
        if self.figure.kind is Kind.RATIO:
            return _spread(scores, "ratio")
        if self.figure.kind is Kind.EXTRA:
            return _spread(scores, "+s")
        return "—"


def _number(value: float, unit: str) -> str:
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "+s":
        return f"{value:+.2f} s"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g}"


def _spread(values: Sequence[float], unit: str) -> str:
    """The median, and min–max when the runs differ."""
    if not values:
        return "—"
    median = _number(statistics.median(values), unit)
    low, high = min(values), max(values)
    if len(values) == 1 or _number(low, unit) == _number(high, unit):
        return median
    bare = unit if unit in {"ratio", "calls"} else ""
    return f"{median} ({_number(low, bare or unit)}–{_number(high, bare or unit)})"


def machine() -> str:
    """Cores, CPU model and Python version of this machine, in one line."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = os.cpu_count() or 0
    return (
        f"{cores} cores, {model}, Python {platform.python_version()} "
        f"({platform.system()} {platform.release()})"
    )


def render(rows: Sequence[Row], *, runs: int, size: str, machine_line: str) -> str:
    """The results as Markdown: the table, then what each row measured and any notes."""
    lines = [
        "# Benchmarks",
        "",
        f"`python -m bench --size {size} --runs {runs}` on {machine_line}.",
        f"Each cell is the median of {runs} run(s), with (min–max) when they differ; the "
        "ratio is computed within each run.",
    ]
    if size != "full":
        lines.append(
            f"At size {size} every workload is scaled down (bench/cases.py `SIZES`); the "
            "descriptions below are the full size."
        )
    lines += [
        "",
        "| figure | measured | limit | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.figure.name} | {row.measured_text()} | {row.limit_text()} | "
            f"{row.score_text()} | {row.figure.target} | {row.met} |"
        )
    lines += ["", "## Workloads and notes", ""]
    for row in rows:
        text = f"- **{row.figure.name}**: {row.figure.workload} Limit: {row.figure.limit_text}."
        for note in row.notes:
            text += f" {note}"
        lines.append(text)
    return "\n".join(lines) + "\n"
