"""Readable Chinese output for the terminal (rich tables); --json output bypasses this module."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from graph.model import KINDS
from graph.render import validity  # one wording of a listing's period, on screen and in pictures

VERDICT_TEXT = {"restricted": "受限", "linked": "存在关联，需人工核查", "clear": "未发现关联"}
VERDICT_STYLE = {"restricted": "bold red", "linked": "bold yellow", "clear": "bold green"}
KIND_TEXT = {"enterprise": "企业", "person": "人员"}
STATUS_TEXT = {"active": "有效", "expired": "已过期", "future": "未生效", "withdrawn": "已撤回", "corrected": "已更正",
               "ended": "已终止", "entered_later": "更正后录入"}


def party_text(p: dict[str, Any]) -> str:
    from graph.queries.subject import VIRTUAL_APPLICANT
    name = p.get("name") or "（名称不详）"
    key = "新申请人" if p["key"] == VIRTUAL_APPLICANT else p["key"]  # its key is bracketed already: (新申请人)
    return f"{name}（{key}）"


def chain_text(path: list[dict[str, Any]]) -> str:
    """Spell a chain out: 张三（…）是 某公司（…）的法定代表人 → …"""
    parts = [f"{party_text(s['source'])} 是 {party_text(s['target'])} 的{s['relation']}" for s in path]
    return "；".join(parts) if parts else "（申请人本身）"


def print_check(console: Console, result: dict[str, Any]) -> None:
    """One block per hit, so that a long legal basis or chain stays readable on an 80-column terminal."""
    from graph.queries.check import RULE_TEXT
    v = result["verdict"]
    s = result["subject"]
    console.print(f"检查对象：{KIND_TEXT.get(s['kind'], s['kind'])} {party_text(s)}")
    console.print(f"检查日期：{result['as_of']}  深度：{result['depth']}  数据版本：{result.get('data_version')}"
                  + (f"  检查编号：{result['check_id']}" if result.get("check_id") else ""))
    console.print(f"结论：[{VERDICT_STYLE[v]}]{VERDICT_TEXT[v]}[/]")
    for note in result.get("notes", []):
        console.print(f"[dim]说明：{note}[/]")
    for i, h in enumerate(result["hits"], 1):
        kind = "[red]禁止[/]：" + RULE_TEXT.get(h["rule"], h["rule"]) if h["binding"] else "[yellow]关联，需人工核查[/]"
        console.print(f"\n命中 {i}：{KIND_TEXT.get(h['party']['kind'], '')} {party_text(h['party'])}  距离 {h['hops']}")
        console.print(f"  {kind}")
        console.print(f"  关系链：{chain_text(h['path'])}")
        for r in h["restrictions"]:
            console.print(f"  名单：{r['type']}  {validity(r)}  发送部门：{r['sender'] or '—'}  "
                          f"接收部门：{'、'.join(r['receivers']) or '—'}")
            if r.get("person_name"):
                console.print(f"  名单所列人员：{r['person_name']}（{r.get('person_role') or '未注明职务'}）"
                              + ("，按姓名与登记信息匹配" if r.get("matched_by_name") else ""))
            if r.get("basis"):
                console.print(f"  法律依据：{r['basis']}" + (f"（{r['description']}）" if r.get("description") else ""))
            if r.get("record_id"):
                console.print(f"  记录编号：{r['record_id']}")
        for note in h.get("notes", []):
            console.print(f"  [dim]说明：{note}[/]")
    if result.get("penalties"):
        console.print("\n须注意的处罚（在法定期限内）：")
        for p in result["penalties"]:
            via = "、".join(party_text(v) for v in p.get("via", []))
            console.print(f"  {party_text(p['party'])}  {p['kind']}（{p.get('penalty_type') or ''}）  决定日期 {p['decision_date']}  "
                          f"至 {p['until']}  {p.get('authority') or ''}" + (f"  经由：{via}" if via else ""))
            console.print(f"    依据：{p['basis']}")
    if result.get("history"):
        console.print("\n历史名单（检查日不生效，仅供参考）：")
        for h in result["history"]:
            for r in h["restrictions"]:
                console.print(f"  {party_text(h['party'])}  距离 {h['hops']}  {r['type']}  {validity(r)}  "
                              f"{STATUS_TEXT.get(r['status'], r['status'])}  记录编号 {r.get('record_id') or '—'}")


def tenure_text(member: dict[str, Any]) -> str:
    """The roles held now, then the terms that ended: 法定代表人；法定代表人（2019-05-01 至 2024-03-15，已离任）."""
    ended = [f"{t['role']}（{t['since'] or '?'} 至 {t['until']}，已离任）" for t in member.get("terms", [])
             if t.get("until") and t["role"] not in member["roles"]]
    return "；".join([x for x in ["、".join(member["roles"])] if x] + ended) or "—"


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
        t.add_column("主体")
        t.add_column("职务")
        for m in e["members"]:
            t.add_row(party_text(m["party"]), tenure_text(m))
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
        headers = {f.name: f.header for f in KINDS[kind].fields}
        headers.update(DERIVED_HEADERS)
        t.add_column("#", justify="right")
        for c in columns[kind]:
            t.add_column(headers.get(c, c), overflow="fold")
        for i, r in enumerate(rows, 1):
            t.add_row(str(i), *[_cell(r.get(c)) for c in columns[kind]])
        console.print(t)
        # Each record's ID (what its department names to withdraw or correct it), whole on its own line, and what
        # became of it.
        for i, r in enumerate(rows, 1):
            status = STATUS_TEXT.get(r.get("record_status") or "", "")
            console.print(f"  {i}. 记录编号 {r.get('record_id')}" + (f"  [yellow]{status}[/]" if status else ""),
                          soft_wrap=True)
    for note in data.get("notes", []):
        console.print(f"[dim]说明：{note}[/]")


DERIVED_HEADERS = {"departments": "机关", "current_status": "当前状态", "fine_text": "罚款金额", "status": "状态",
                   "sender": "发送部门", "list_type": "名单"}


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "、".join(map(str, v))
    return STATUS_TEXT.get(v, str(v)) if isinstance(v, str) else str(v)


def print_snapshot(console, snapshot: dict | None, resent: dict, dry_run: bool) -> None:
    """A full export's endings (graph/snapshots.py) and the records a file sent again, in a load's summary."""
    from rich.markup import escape

    from graph.record_state import subject_text
    if resent.get("reinstated"):
        console.print(f"  再次报送而恢复的记录：{'、'.join(resent['reinstated'])}")
    if snapshot is None:
        return
    ended = snapshot["ended"]
    verb = "将终止" if dry_run or snapshot["refused"] else "已终止"
    console.print(f"  全量报送（{snapshot['department']}，{snapshot['effective']}）：{verb} {snapshot['ended_count']} 条 / "
                  f"原有效 {snapshot['current_before']} 条（{snapshot['share']:.0%}，上限 {snapshot['max_share']:.0%}）")
    if snapshot["refused"]:
        console.print(f"  [red]{escape(snapshot['message'])}[/]")
    for r in ended[:20]:
        console.print(f"    {r['record_id']}  {escape(subject_text(r))}  "
                      f"{escape(str(r.get('list_type') or r.get('number') or ''))}")
    if snapshot["ended_count"] > 20:
        console.print(f"    ……另有 {snapshot['ended_count'] - 20} 条（--json 列出前 200 条）")
    if snapshot.get("kept_message"):
        console.print(f"  [yellow]{escape(snapshot['kept_message'])}[/]")
        for r in snapshot["kept_unread"][:20]:
            console.print(f"    {r['record_id']}  {escape(subject_text(r))}  未终止")


def print_search(console: Console, data: dict[str, Any]) -> None:
    from graph.name_match import reason_text
    console.print(f"查找：{data['query']}（规范化为 {data['normalised']}）")
    if not data["candidates"]:
        console.print("未找到相近的名称 (no similar name)")
        return
    # At 80 columns a name folds onto more lines and the code stays whole: a clerk reads and copies it.
    table = Table(show_header=True, header_style="bold")
    table.add_column("相似度", no_wrap=True)
    table.add_column("名称", overflow="fold")
    table.add_column("代码", no_wrap=True, min_width=18)
    table.add_column("差异", overflow="fold")
    table.add_column("登记状态", overflow="fold")
    table.add_column("是否受限", no_wrap=True)
    for c in data["candidates"]:
        status = c.get("status") or {}
        restricted = "[red]受限[/]" if status.get("restricted") else "否"
        table.add_row(str(c["score"]), c["name"], c["key"], "、".join(reason_text(r) for r in c["reasons"]) or "相同",
                      status.get("registration") or "—", restricted if status else "—")
    console.print(table)
