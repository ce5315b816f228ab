"""`python -m bench`: run the benchmarks, print the table, write bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from bench.cases import BENCHMARKS, FIGURES, SIZES
from bench.harness import WarningCounter, quiet_logs
from bench.report import Row, machine, render

RESULTS = Path(__file__).with_name("RESULTS.md")


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the real bot against the stand-ins and compare each figure with "
        "its limit. Progress goes to stderr, the table to stdout.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per benchmark (default 3)")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the Markdown results (default: bench/RESULTS.md for a full run "
        "of every benchmark, nowhere otherwise)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run(names: Sequence[str], size_name: str, runs: int) -> list[Row]:
    """Every run of the named benchmarks; rows in the table's order."""
    size = SIZES[size_name]
    rows = {figure: Row(figure) for name in names for figure in BENCHMARKS[name][1]}
    for name in names:
        benchmark, figures = BENCHMARKS[name]
        for number in range(1, runs + 1):
            progress(f"[{name}] run {number}/{runs} …")
            started = time.perf_counter()
            try:
                with WarningCounter() as logged:
                    samples = await benchmark(size)
            except Exception as error:  # one broken benchmark must not hide the others
                traceback.print_exc(file=sys.stderr)
                for figure in figures:
                    rows[figure].error = f"Failed: {type(error).__name__}: {error}"
                break
            for figure, sample in samples.items():
                rows[figure].samples.append(sample)
                rows[figure].warnings.update(logged.counts)
            took = time.perf_counter() - started
            progress(f"[{name}] run {number}/{runs} done in {took:.1f} s")
    return [rows[figure] for figure in FIGURES if figure in rows]


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    quiet_logs()
    names = list(dict.fromkeys(args.only)) if args.only else list(BENCHMARKS)
    started = time.perf_counter()
    rows = asyncio.run(run(names, args.size, args.runs))
    text = render(rows, runs=args.runs, size=args.size, machine_line=machine())
    print(text)
    output = args.output
    if output is None and args.size == "full" and not args.only:
        output = RESULTS
    if output is not None:
        output.write_text(text, encoding="utf-8")
        progress(f"written to {output}")
    progress(f"all done in {time.perf_counter() - started:.0f} s")
    return 0
