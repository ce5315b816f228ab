"""Benchmarks: the real bot against the stand-ins, each figure compared with its limit.

Run `python -m bench` (see bench/cli.py); the results of the last full run are in
bench/RESULTS.md.
"""
