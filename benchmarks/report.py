"""The results of a run as targets (met or not), a Markdown block for BENCHMARKS.md and a PNG.

BENCHMARKS.md keeps its hand-written analysis; only the text between the two markers below is rewritten.
The tables at every depth go to a Markdown file of their own beside the results (results/latest.md), which the block
links to. `python benchmarks/report.py results.json [--markdown BENCHMARKS.md] [--plot out.png]` redraws from a saved
run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

START, END = "<!-- results:start (written by benchmarks/run.py) -->", "<!-- results:end -->"
DEPTHS = ("1", "2", "3", "4")
STORE_LABEL = {"embedded": "creditnet embedded", "neo4j": "creditnet Neo4j"}
COLOURS = {"embedded": "tab:blue", "neo4j": "tab:green", "networkx": "tab:purple", "sqlite-cte": "tab:brown",
           "cypher": "tab:olive"}
BASELINE_LABEL = {"networkx": "networkx path BFS", "sqlite-cte": "SQLite recursive CTE", "cypher": "textbook Cypher"}


# --- reading the results ------------------------------------------------------------------------------------
def _store(results: dict, size: int, backend: str) -> dict:
    return results["sizes"].get(str(size), {}).get("stores", {}).get(backend, {})


def _check(results: dict, size: int, backend: str, depth: str = "3") -> dict | None:
    return _store(results, size, backend).get("check", {}).get(depth, {}).get("warm")


def _largest(results: dict, backend: str, key: str) -> int | None:
    sizes = [int(s) for s, r in results["sizes"].items() if key in r.get("stores", {}).get(backend, {})]
    return max(sizes) if sizes else None


def _loaded(results: dict, size: int, backend: str) -> bool:
    load = _store(results, size, backend).get("load")
    return bool(load) and not load.get("exit_code")


def _largest_loaded(results: dict, backend: str) -> int | None:
    """The largest size whose load succeeded (a failed load is reported in the load table, and as a failure
    where its size is asked for by name)."""
    sizes = [int(s) for s in results["sizes"] if _loaded(results, int(s), backend)]
    return max(sizes) if sizes else None


def _fmt(x, unit: str = "", digits: int = 2) -> str:
    if x is None:
        return "—"
    if isinstance(x, float) and x >= 100:
        return f"{x:,.0f}{unit}"
    return f"{x:,.{digits}f}{unit}" if isinstance(x, float) else f"{x:,}{unit}"


def targets(results: dict) -> list[dict]:
    """Every figure the issues ask for, as measured: met, not met, or not measured (None)."""
    out: list[dict] = []

    def add(target: str, measured: str, met: bool | None, where: str = "") -> None:
        out.append({"target": target, "measured": measured, "met": met, "where": where})

    def latency_target(backend: str, size: int, q: str, limit_ms: float, label: str) -> None:
        c = _check(results, size, backend)
        if c is None:
            add(label, "not measured at this size", None)
        else:
            add(label, f"{c[f'{q}_ms']} ms", c[f"{q}_ms"] is not None and c[f"{q}_ms"] <= limit_ms, f"{size:,}")

    def load_target(backend: str, size: int | None, limit: float, label: str) -> None:
        size = size or _largest_loaded(results, backend) or _largest(results, backend, "load")
        load = _store(results, size, backend).get("load") if size else None
        if not load or load.get("exit_code"):
            add(label, "not measured" if not load else "load failed", None if not load else False)
        else:
            add(label, f"{load['rows_per_s']:,.0f} rows/s", load["rows_per_s"] >= limit, f"{size:,}")

    m = 1_000_000
    latency_target("embedded", m, "p50", 1, "Embedded, 1M: check p50 ≤ 1 ms at depth 3")
    latency_target("embedded", m, "p99", 10, "Embedded, 1M: check p99 ≤ 10 ms at depth 3")
    if _store(results, m, "embedded").get("load"):
        load_target("embedded", m, 50_000, "Embedded, 1M: load ≥ 50,000 rows/s")
    else:
        add("Embedded, 1M: load ≥ 50,000 rows/s", "not measured at this size", None)
    mem = _store(results, m, "embedded").get("memory")
    add("Embedded, 1M: resident memory ≤ 6 GB (fully warmed)", f"{mem['rss_warm_mb'] / 1024:.2f} GB" if mem else "not measured",
        mem["rss_warm_mb"] <= 6 * 1024 if mem else None, "1,000,000" if mem else "")
    latency_target("neo4j", m, "p50", 10, "Neo4j, 1M: check p50 ≤ 10 ms at depth 3")
    load_target("neo4j", m if _loaded(results, m, "neo4j") else None, 10_000, "Neo4j: load ≥ 10,000 rows/s "
                "(1M; else the largest size loaded)")
    for backend, names in (("embedded", ("networkx", "sqlite-cte")), ("neo4j", ("cypher",))):
        r = results["sizes"].get("100000", {}).get("ratios", {}).get(backend, {})
        for name in names:
            per = r.get(name)
            if not per:
                add(f"{STORE_LABEL[backend]} ≥ 10× faster than {BASELINE_LABEL[name]} at depth 3, 100k", "not measured", None)
                continue
            x = per.get("3", {}).get("p50")
            add(f"{STORE_LABEL[backend]} ≥ 10× faster than {BASELINE_LABEL[name]} at depth 3, 100k (p50)",
                f"{_fmt(x)}×", x is not None and x >= 10, "100,000")
            series = [per.get(d, {}).get("p50") for d in DEPTHS]
            # Widening in creditnet's favour: faster at every depth, and more so the deeper the check.
            widening = all(x is not None and x >= 1 for x in series) and \
                all(b >= a for a, b in zip(series, series[1:]))
            add(f"… and the gap widening with depth ({BASELINE_LABEL[name]})",
                " → ".join(f"{_fmt(x)}×" for x in series), widening, "100,000")
    for backend in ("embedded", "neo4j"):
        sizes = sorted(int(s) for s, r in results["sizes"].items() if _check(results, int(s), backend))
        if len(sizes) >= 2:
            lo, hi = _check(results, sizes[0], backend), _check(results, sizes[-1], backend)
            growth = hi["p50_ms"] / lo["p50_ms"] if lo["p50_ms"] else None
            add(f"{STORE_LABEL[backend]}: depth-3 latency nearly flat with size (p50 grows ≤ 2× from smallest to largest)",
                f"{lo['p50_ms']} → {hi['p50_ms']} ms ({_fmt(growth)}×)", growth is not None and growth <= 2,
                f"{sizes[0]:,} → {sizes[-1]:,}")
    load_target("embedded", None, 20_000, "Core: embedded CSV load ≥ 20,000 rows/s (largest size)")
    cli = _store(results, 10_000, "embedded").get("cli")
    add("Core: CLI check on 10,000 enterprises < 1 s wall, start-up included",
        f"{cli['median_s']} s (median of {cli['repeats']})" if cli else "not measured",
        cli["median_s"] < 1 if cli else None, "10,000")
    c = _check(results, 100_000, "embedded")
    add("Core: in-process check < 5 ms at 100,000 (depth 3, p50; p99 beside)",
        f"p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms" if c else "not measured",
        c["p50_ms"] < 5 if c else None, "100,000" if c else "")
    load_target("neo4j", None, 5_000, "Neo4j: load ≥ 5,000 rows/s (largest size loaded)")
    for backend in ("embedded", "neo4j"):
        api = _store(results, 100_000, backend).get("api")
        label = f"API, 4 clients, 100k, {backend}: ≥ 500 checks/s and p99 < 50 ms"
        if backend == "neo4j":
            label = "API, 4 clients, 100k, neo4j (figures beside the embedded ones)"
        if not api:
            add(label, "not measured", None)
        elif "skipped" in api:
            add(label, f"skipped: {api['skipped'][:120]}", None)
        else:
            ok = api["checks_per_s"] >= 500 and api["p99_ms"] < 50 if backend == "embedded" else "reported"
            add(label, f"{api['checks_per_s']:,.0f} checks/s, p99 {api['p99_ms']} ms", ok, "100,000")
    if results["config"].get("quick"):
        add("Quick mode under 3 minutes", f"{results.get('elapsed_s', 0):.0f} s", results.get("elapsed_s", 1e9) < 180)
    return out


# --- text -------------------------------------------------------------------------------------------------------
def _mark(met) -> str:
    return {True: "met", False: "**not met**", None: "not measured", "reported": "(figures only)"}[met]


def markdown_run_line(results: dict) -> str:
    """When, on what machine and how loaded; the commit measured stays in the results' JSON."""
    meta = results["meta"]
    return (f"Run of {meta['date_utc']} on `{meta['host']}`: {meta['cpu']}, {meta['cores']} cores, "
            f"{meta['memory_gb']} GB RAM, {meta['os']}; Python {meta['python']}, SQLite {meta['sqlite']}; "
            f"load average at start {', '.join(f'{x:.1f}' for x in meta['load_average_at_start'])} "
            f"(the machine is shared: compare ratios within this run, not times across runs).")


def markdown(results: dict, plot_path: Path | None = None, relative_to: Path | None = None,  # noqa: C901
             details_path: Path | None = None) -> str:
    """The results block. The tables at every depth go to `details_path` when given (the block links to it), else
    into the block itself."""
    # One pass per table of BENCHMARKS.md, in the page's order: the branches are its optional cells.
    meta, cfg = results["meta"], results["config"]
    lines = [markdown_run_line(results), ""]
    n = meta.get("neo4j")
    if n and "version" in n:
        lines += [f"Neo4j {n['version']} {n['edition']} at {n['uri']}: " +
                  ", ".join(f"{k} = {v}" for k, v in sorted(n.get("settings", {}).items())) + ".", ""]
    lines += ["```sh", meta["command"], "```", "",
              f"Sample per size: every planted scenario plus up to {cfg['per_stratum']} random subjects per depth-3 "
              f"verdict, {cfg['repeats']} warm passes per depth after a cold one, each depth in a fresh process; "
              f"baselines limited to {cfg['baseline_timeout_s']} s per check and {cfg['baseline_budget_s']} s per depth; "
              f"API: {cfg['api_clients']} clients for {cfg['api_seconds']} s at depth 3. "
              f"Total {results.get('elapsed_s', 0) / 60:.1f} min.", ""]
    if "targets" in results:
        lines += ["### Targets", "", "| target | measured | size | |", "|---|---|---|---|"]
        lines += [f"| {t['target']} | {t['measured']} | {t['where']} | {_mark(t['met'])} |" for t in results["targets"]]
        lines.append("")
    if "gate" in results:
        g = results["gate"]
        rule = g.get("rule", "depth 3, p50")
        lines += [f"Gate ({rule}; each store against its own textbook baselines): {'passed' if g['passed'] else '**failed**'}"
                  + (": " + "; ".join(f"{f['size']:,} {f['store']} vs {f['baseline']} "
                                      f"{f.get('ratio_p50', f.get('ratio_p99'))}×" for f in g["failures"])
                     if g["failures"] else "") + ".", ""]
    lines += ["### Load (`creditnet load -q --json`, all files in kind order)", "",
              "| enterprises | store | rows | files | seconds | rows/s | peak RSS MB | store on disk MB |",
              "|---|---|---|---|---|---|---|---|"]
    for size, r in _sizes(results):
        for backend, s in r["stores"].items():
            if "load" in s:
                ld = s["load"]
                lines.append(f"| {size:,} | {backend} | {ld['rows']:,} | {ld.get('file_count', '')} | {ld['wall_s']} | "
                             f"{_fmt(ld['rows_per_s'])} | {ld['peak_rss_mb']} | {s.get('sqlite_mb', '—')} |"
                             + ("" if not ld.get("exit_code") else " failed |"))
            elif "skipped" in s:
                lines.append(f"| {size:,} | {backend} | — | — | — | — | — | {s['skipped']} |")
    lines += ["", "### CLI end to end, API under load, memory", "",
              "| enterprises | store | `creditnet check` s (median) | start-up s | API checks/s | API p50 / p99 ms | server RSS MB | "
              "RSS typical MB | RSS fully warmed MB | bytes / enterprise (warmed) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for size, r in _sizes(results):
        for backend, s in r["stores"].items():
            if "check" not in s:
                continue
            cli, api, mem = s.get("cli"), s.get("api") or {}, s.get("memory")
            if "checks_per_s" in api:
                api_cells = f"{_fmt(api['checks_per_s'])} | {api['p50_ms']} / {api['p99_ms']} | {api['server_rss_mb']}"
            elif "skipped" in api:
                api_cells = f"skipped: {api['skipped'][:80]} | — | —"
            else:
                api_cells = "— | — | —"
            lines.append(f"| {size:,} | {backend} | {cli['median_s'] if cli else '—'} | "
                         f"{cli['startup_median_s'] if cli else '—'} | {api_cells} | "
                         f"{s['check']['3']['rss_after_mb']} | {mem['rss_warm_mb'] if mem else '—'} | "
                         f"{_fmt(mem['bytes_per_enterprise_warm']) if mem else '—'} |")
    if details_path:
        lines += ["", f"Check latency at every depth, and the baselines at every depth with creditnet's ratio to each: "
                      f"[{_relative(details_path, relative_to)}]({_relative(details_path, relative_to)})."]
    else:
        lines += ["", per_depth(results).rstrip("\n")]
    if plot_path and Path(plot_path).exists():
        lines += ["", f"![check latency and load time against size]({_relative(plot_path, relative_to)})"]
    return "\n".join(lines) + "\n"


def _relative(path: Path, to: Path | None) -> str:
    rel = Path(path).resolve()
    if to:
        try:
            rel = rel.relative_to(Path(to).resolve())
        except ValueError:
            pass
    return rel.as_posix()


def per_depth(results: dict) -> str:
    """The tables at every depth: check latency per store, and the baselines on the same subjects with the ratios."""
    lines = ["### Check latency in a running process (warm p50 / p99 ms; cold = first pass in a fresh process)", "",
              "| enterprises | store | depth 1 | depth 2 | depth 3 | depth 4 | cold depth 3 | depth 3 p50 restricted / linked / clear |",
              "|---|---|---|---|---|---|---|---|"]
    for size, r in _sizes(results):
        for backend, s in r["stores"].items():
            if "check" not in s:
                continue
            c = s["check"]
            cells = [f"{c[d]['warm']['p50_ms']} / {c[d]['warm']['p99_ms']}" for d in DEPTHS]
            bv = c["3"]["by_verdict"]
            lines.append(f"| {size:,} | {backend} | " + " | ".join(cells) +
                         f" | {c['3']['cold']['p50_ms']} / {c['3']['cold']['p99_ms']} | " +
                         " / ".join(str(bv.get(v, {}).get("p50_ms", "—")) for v in ("restricted", "linked", "clear")) + " |")
    lines += ["", "### Baselines on the same subjects (p50 / p99 ms) and creditnet's speed as a ratio "
              "(baseline ÷ creditnet, p50; > 1: creditnet faster)", "",
              "| enterprises | depth | embedded | Neo4j | networkx path BFS | SQLite CTE | textbook Cypher "
              "| embedded vs nx / CTE / Cypher | Neo4j vs nx / CTE / Cypher | same answers |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for size, r in _sizes(results):
        if not r.get("baselines"):
            continue
        for d in DEPTHS:
            row = [f"{size:,}", d]
            for backend in ("embedded", "neo4j"):
                c = r["stores"].get(backend, {}).get("check", {}).get(d)
                row.append(f"{c['warm']['p50_ms']} / {c['warm']['p99_ms']}" if c else "—")
            agree = []
            for name in ("networkx", "sqlite-cte", "cypher"):
                b = r["baselines"].get(name, {}).get("depths", {}).get(d)
                if not b:
                    row.append("—")
                    continue
                p50 = f"≥ {b['timeout_ms']:.0f}" if b["censored_p50"] else b["p50_ms"]
                p99 = f"≥ {b['timeout_ms']:.0f}" if b["censored_p99"] else b["p99_ms"]
                extra = f" ({b['timed_out']} out of time)" if b["timed_out"] else ""
                extra += f" ({b['not_run']} not run)" if b["not_run"] else ""
                row.append(f"{p50} / {p99}{extra}")
                for v in b.get("verify", {}).values():
                    agree.append(f"{name}={v['agree']}/{v['compared']}")
            for backend in ("embedded", "neo4j"):
                per = r.get("ratios", {}).get(backend, {})
                row.append(" / ".join(_ratio(per.get(n, {}).get(d)) for n in ("networkx", "sqlite-cte", "cypher"))
                           if per else "—")
            row.append(", ".join(sorted(set(agree))))
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def _ratio(entry: dict | None) -> str:
    if not entry or entry.get("p50") is None:
        return "—"
    return ("≥ " if entry.get("p50_at_least") else "") + f"{entry['p50']:.2f}×"


def _sizes(results: dict):
    return sorted(((int(s), r) for s, r in results["sizes"].items()), key=lambda x: x[0])


def summary_text(results: dict) -> str:
    lines = ["targets:"]
    lines += [f"  [{_mark(t['met'])}] {t['target']}: {t['measured']}" for t in results.get("targets", [])]
    g = results.get("gate")
    if g:
        lines.append(f"gate ({g.get('rule', 'depth 3, p50')}): {'passed' if g['passed'] else 'FAILED'} {g['failures'] or ''}")
    return "\n".join(lines)


def update_markdown(path: Path, results: dict, plot_path: Path | None = None, details_path: Path | None = None) -> None:
    """Rewrite the results block of `path`; with `details_path`, the tables at every depth go to that file (written
    whole), which the block links to."""
    path = Path(path)
    if details_path:
        details_path = Path(details_path)
        details_path.parent.mkdir(parents=True, exist_ok=True)
        details_path.write_text(f"# Benchmarks at every depth\n\n{markdown_run_line(results)}\n\n"
                                + per_depth(results).replace("### ", "## "),
                                encoding="utf-8")
    block = f"{START}\n{markdown(results, plot_path, path.parent, details_path)}{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


# --- the plot ---------------------------------------------------------------------------------------------------
def plot(results: dict, path: Path) -> str:
    """Check latency (depth 3, p50) and load time against size, one line per store and baseline."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "skipped: matplotlib is not installed (pip install matplotlib)"
    sizes = _sizes(results)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    for backend in ("embedded", "neo4j"):
        pts = [(n, r["stores"][backend]["check"]["3"]["warm"]) for n, r in sizes if "check" in r["stores"].get(backend, {})]
        if pts:
            ax1.plot([n for n, _ in pts], [c["p50_ms"] for _, c in pts], marker="o", color=COLOURS[backend],
                     label=f"{STORE_LABEL[backend]} p50")
            ax1.plot([n for n, _ in pts], [c["p99_ms"] for _, c in pts], marker=".", linestyle=":", alpha=0.5,
                     color=COLOURS[backend], label=f"{STORE_LABEL[backend]} p99")
    for name in ("networkx", "sqlite-cte", "cypher"):
        pts = [(n, r["baselines"][name]["depths"]["3"]) for n, r in sizes if "depths" in r.get("baselines", {}).get(name, {})]
        pts = [(n, b) for n, b in pts if b["p50_ms"] is not None]
        if pts:
            ax1.plot([n for n, _ in pts], [b["p50_ms"] for _, b in pts], marker="s", linestyle="--",
                     color=COLOURS[name], label=f"{BASELINE_LABEL[name]} p50")
    ax1.set(xscale="log", yscale="log", xlabel="enterprises", ylabel="ms", title="check latency at depth 3")
    ax1.grid(True, which="both", alpha=0.3)
    if ax1.get_legend_handles_labels()[0]:
        ax1.legend(fontsize=7)
    for backend in ("embedded", "neo4j"):
        pts = [(n, r["stores"][backend]["load"]) for n, r in sizes
               if "load" in r["stores"].get(backend, {}) and not r["stores"][backend]["load"].get("exit_code")]
        if pts:
            ax2.plot([n for n, _ in pts], [ld["wall_s"] for _, ld in pts], marker="o", color=COLOURS[backend],
                     label=f"{backend}: creditnet load")
    nx_pts = [(n, r["baselines"]["networkx"]["setup"]["build_s"]) for n, r in sizes
              if "setup" in r.get("baselines", {}).get("networkx", {})]
    if nx_pts:
        ax2.plot([n for n, _ in nx_pts], [s for _, s in nx_pts], marker="s", linestyle="--", color=COLOURS["networkx"],
                 label="networkx baseline: reading the whole graph (every process)")
    ax2.set(xscale="log", yscale="log", xlabel="enterprises", ylabel="seconds", title="load time")
    ax2.grid(True, which="both", alpha=0.3)
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(fontsize=7)
    fig.suptitle(f"creditnet benchmarks, {results['meta']['date_utc'][:10]}, {results['meta']['cores']} cores")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Redraw the report of a saved run.")
    p.add_argument("results", type=Path)
    p.add_argument("--markdown", type=Path)
    p.add_argument("--plot", type=Path)
    p.add_argument("--details", type=Path, help="With --markdown: the tables at every depth go to this file "
                   "(default: beside the results, .md)")
    args = p.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    results["targets"] = targets(results)  # derived: recomputed (and saved) with this version's definitions
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.plot:
        print(plot(results, args.plot))
    if args.markdown:
        update_markdown(args.markdown, results, args.plot, args.details or args.results.with_suffix(".md"))
    print(summary_text(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
