"""Readable Chinese output for the terminal (rich tables); --json output bypasses this module."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

VERDICT_TEXT = {"restricted": "受限", "linked": "存在关联，需人工核查", "clear": "未发现关联"}
VERDICT_STYLE = {"restricted": "bold red", "linked": "bold yellow", "clear": "bold green"}
KIND_TEXT = {"enterprise": "企业", "person": "人员"}
STATUS_TEXT = {"active": "有效", "expired": "已过期", "future": "未生效"}


def party_text(p: dict[str, Any]) -> str:
    name = p.get("name") or "（名称不详）"
    return f"{name}（{p['key']}）"


def chain_text(path: list[dict[str, Any]]) -> str:
    """Spell a chain out: 张三（…）是 某公司（…）的法定代表人 → …"""
    parts = [f"{party_text(s['source'])} 是 {party_text(s['target'])} 的{s['relation']}" for s in path]
    return "；".join(parts) if parts else "（申请人本身）"


def validity(r: dict[str, Any]) -> str:
    return f"{r.get('valid_from') or '?'} 至 {r.get('valid_to') or '长期'}"


def print_check(console: Console, result: dict[str, Any]) -> None:
    v = result["verdict"]
    s = result["subject"]
    console.print(f"检查对象：{KIND_TEXT.get(s['kind'], s['kind'])} {party_text(s)}")
    console.print(f"检查日期：{result['as_of']}    深度：{result['depth']}    数据版本：{result.get('data_version')}"
                  + (f"    检查编号：{result['check_id']}" if result.get("check_id") else ""))
    console.print(f"结论：[{VERDICT_STYLE[v]}]{VERDICT_TEXT[v]}[/]")
    for note in result.get("notes", []):
        console.print(f"[dim]说明：{note}[/]")
    if result["hits"]:
        table = Table(title="命中", show_lines=True)
        for col in ("主体", "距离", "约束", "名单", "法律依据", "有效期", "发送部门", "关系链"):
            table.add_column(col, overflow="fold")
        for h in result["hits"]:
            rule = "禁止（" + h["rule"] + "）" if h["binding"] else "关联，需核查"
            for i, r in enumerate(h["restrictions"]):
                table.add_row(party_text(h["party"]) if i == 0 else "", str(h["hops"]) if i == 0 else "",
                              rule if i == 0 else "", r["type"] or "", r["basis"] or "", validity(r),
                              r["sender"] or "", chain_text(h["path"]) if i == 0 else "")
        console.print(table)
    if result.get("history"):
        table = Table(title="历史名单（检查日不生效）")
        for col in ("主体", "距离", "名单", "有效期", "状态"):
            table.add_column(col)
        for h in result["history"]:
            for r in h["restrictions"]:
                table.add_row(party_text(h["party"]), str(h["hops"]), r["type"] or "", validity(r),
                              STATUS_TEXT.get(r["status"], r["status"]))
        console.print(table)


def print_profile(console: Console, data: dict[str, Any]) -> None:
    e = data["enterprise"]
    console.print(f"[bold]{e.get('name')}[/]  统一社会信用代码：{e.get('uscc') or '—'}  注册号：{e.get('reg_no') or '—'}")
    for label, k in (("企业类型", "type"), ("法定代表人", "legal_rep"), ("成立日期", "established"),
                     ("登记状态", "status"), ("住所", "address"), ("登记机关", "authority")):
        if e.get(k):
            console.print(f"  {label}：{e[k]}")
    if not e.get("in_registry"):
        console.print("  [yellow]登记信息尚未归集（由部门记录创建）[/]")
    if e.get("members"):
        t = Table(title="人员及股东")
        t.add_column("主体"); t.add_column("职务")
        for m in e["members"]:
            t.add_row(party_text(m["party"]), "、".join(m["roles"]))
        console.print(t)
    labels = {"license": "行政许可", "license-change": "行政许可变更", "penalty": "行政处罚",
              "penalty-change": "行政处罚变更", "inspection": "抽查检查结果", "blacklist": "黑名单"}
    columns = {
        "license": ("license_no", "license_name", "valid_from", "valid_to", "departments", "status"),
        "license-change": ("license_no", "item", "before", "after", "change_date"),
        "penalty": ("decision_no", "decision_date", "violation_type", "fine_text", "penalty_type", "current_status"),
        "penalty-change": ("decision_no", "content", "change_date"),
        "inspection": ("inspection_date", "departments", "inspection_type", "result"),
        "blacklist": ("list_type", "valid_from", "valid_to", "sender", "basis", "status"),
    }
    for kind, rows in data["records"].items():
        if not rows:
            continue
        t = Table(title=f"{labels[kind]}（{len(rows)}）")
        for c in columns[kind]:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*[_cell(r.get(c)) for c in columns[kind]])
        console.print(t)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "、".join(map(str, v))
    return STATUS_TEXT.get(v, str(v)) if isinstance(v, str) else str(v)
