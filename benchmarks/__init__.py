"""Benchmarks of creditnet against what an engineer would write by hand (see BENCHMARKS.md).

`python benchmarks/run.py --help` runs them; each module here measures one thing:
data (the synthetic counties, cached), stores (which store a run talks to), measure (loads and CLI checks
as subprocesses), worker (in-process check latency and memory, run in a fresh process each), baselines
(the three textbook answers), api_load (4 clients against `creditnet serve`) and report (Markdown and PNG).
"""
