"""`creditnet demo`: a synthetic county in the departments' own file formats, loaded and checked."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from graph.errors import InvalidRequest

VERDICT_TEXT = {"restricted": "受限", "linked": "存在关联", "clear": "未发现关联"}


def run_demo(open_store, settings, enterprises: int, seed: int, directory: Path | None, force: bool,
             console: Console, as_json: bool) -> dict[str, Any]:
    from graph.ingest import load_file
    from graph.queries.check import check
    from graph.synthetic import generate

    directory = directory or settings.home / "demo-files"
    with open_store() as store:
        foreign = [h["file"] for h in store.load_history() if not str(h["file"]).startswith(str(directory))]
        if foreign and not force:
            raise InvalidRequest(
                f"当前存储（{settings.home}）已有其他数据，演示数据会与之混在一起。请换一个目录，如 "
                f"CREDITNET_HOME=/tmp/creditnet-demo creditnet demo，或加 --force "
                f"(the store holds other data; use another CREDITNET_HOME or --force)")
        if not as_json:
            console.print(f"生成模拟县域数据：{enterprises} 家企业 → {directory}")
        manifest = generate(directory, enterprises=enterprises, seed=seed, reference_date=date.today())
        reports = []
        order = ("enterprise", "member", "license", "license-change", "penalty", "penalty-change",
                 "inspection", "blacklist")
        for kind in order:
            for path in manifest.files.get(kind, []):
                report = load_file(store, path, home=settings.home)
                reports.append(report.as_dict())
                if not as_json:
                    console.print(f"  导入 {Path(path).name}：{report.loaded} 行"
                                  + (f"，拒绝 {report.rejected} 行 → {report.rejects_file}" if report.rejected else ""))
        examples = []
        for name, scenario in manifest.scenarios.items():
            result = check(store, settings=settings, key=scenario["key"], depth=3)
            examples.append({"scenario": name, "key": scenario["key"], "expected": scenario["expected"],
                             "verdict": result.verdict, "explanation": scenario.get("explanation", ""),
                             "hits": len(result.hits)})
    if not as_json:
        table = Table(title="示例检查（深度 3，今日）")
        for col in ("场景", "检查对象", "结论", "说明"):
            table.add_column(col, overflow="fold")
        for e in examples:
            ok = "" if e["verdict"] == e["expected"] else f"（预期 {VERDICT_TEXT[e['expected']]}）"
            # The Chinese half of the explanation: the English half is in --json output.
            table.add_row(e["scenario"], e["key"], VERDICT_TEXT[e["verdict"]] + ok, e["explanation"].split(" / ")[0])
        console.print(table)
        first = next((e for e in examples if e["verdict"] == "restricted"), None)
        if first:
            console.print(f"试一试：creditnet check {first['key']}    creditnet profile <代码>    creditnet stats")
    return {"directory": str(directory), "loads": reports, "examples": examples}
