"""The synthetic county (graph/synthetic.py): reproducible, valid, shaped like the county's data, and with
planted scenarios whose verdicts hold.

The scenario verdicts are checked against a small reference evaluator written here from DOMAIN.md's rules
(independent of graph/queries), over the files as written: it proves that the background never reaches a
scenario subject, not that the query engine is right.
"""
from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from graph.identifiers import InvalidIdentifier, normalise_code, validate_id_number, validate_reg_no, validate_uscc
from graph.model import KINDS, RECORD_KINDS
from graph.synthetic import Manifest, generate
from graph.synthetic_identities import (ALL_KINDS, COOP_INDUSTRIES, DEPARTMENTS, IMPOSSIBLE_DATE, INDUSTRIES, ZIHAO,
                                        trade_name)

REF = date(2026, 11, 27)
ENCODINGS = {"enterprise": "utf-8-sig", "member": "utf-8-sig", "license": "gbk"}
# DOMAIN.md's registry formats, typed out here so that the test does not just echo the generator.
REGISTRY_HEADERS = {
    "enterprise": ("序号、统一社会信用代码、注册号、企业名称、企业类型、法定代表人、法定代表人证件类型、"
                   "法定代表人证件号码、成立日期、登记状态、住所、登记机关"),
    "member": "序号、统一社会信用代码、企业名称、人员类别、姓名、证件类型、证件号码、出资比例",
}
REQUIRED_DATE = {"license-change": "change_date", "penalty-change": "change_date", "inspection": "inspection_date",
                 "blacklist": "valid_from"}
BINDING = {"法定代表人", "负责人", "经营者", "董事", "监事", "经理"}
HEADS = {"法定代表人", "负责人", "经营者"}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Manifest:
    return generate(tmp_path_factory.mktemp("small"), 1000, 7, REF)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> tuple[Manifest, float]:
    started = time.perf_counter()
    manifest = generate(tmp_path_factory.mktemp("large"), 10_000, 7, REF)
    return manifest, time.perf_counter() - started


_READ: dict[tuple[Path, str], list[dict[str, str]]] = {}


def read(manifest: Manifest, kind: str) -> list[dict[str, str]]:
    """Rows of a kind keyed by canonical field name, every value as text (dates as ISO). Cached: read-only."""
    (path,) = manifest.files[kind]
    if (path, manifest.formats) not in _READ:
        _READ[path, manifest.formats] = _read(manifest, kind, path)
    return _READ[path, manifest.formats]


def _read(manifest: Manifest, kind: str, path: Path) -> list[dict[str, str]]:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        rows = [["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    else:
        encoding = ENCODINGS.get(kind, "utf-8") if manifest.formats == "mixed" else "utf-8"
        with open(path, encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
    by_header = {f.header: f.name for f in KINDS[kind].fields}
    names = [by_header[h.replace("(", "（").replace(")", "）")] for h in rows[0][1:]]
    return [dict(zip(names, row[1:])) for row in rows[1:]]


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _canonical_department(name: str) -> str:
    name = name.removeprefix("西吉")
    return "县市场监督管理局" if name == "县市场监管局" else name


# --- reproducibility -------------------------------------------------------------------------------------
def test_same_arguments_give_identical_bytes(small, tmp_path):
    again = generate(tmp_path / "again", 1000, 7, REF)
    other = generate(tmp_path / "other", 1000, 8, REF)
    names = sorted(p.name for p in small.directory.iterdir())
    assert names == sorted(p.name for p in again.directory.iterdir())
    for name in names:
        assert (small.directory / name).read_bytes() == (again.directory / name).read_bytes(), name
    assert (small.directory / "enterprise.csv").read_bytes() != (other.directory / "enterprise.csv").read_bytes()
    assert (small.directory / "penalty.xlsx").read_bytes() != (other.directory / "penalty.xlsx").read_bytes()


def test_manifest_round_trips_and_is_saved(small):
    loaded = Manifest.load(small.directory)
    assert loaded == small
    assert Manifest.from_json(small.to_json(), small.directory) == small
    assert small.reference_date == "2026-11-27"
    assert set(small.rows) == set(small.rows_bad) == set(ALL_KINDS)


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, 10, 7, REF)
    with pytest.raises(ValueError):
        generate(tmp_path, 1000, 7, REF, formats="parquet")
    with pytest.raises(ValueError):
        generate(tmp_path, 1000, 7, REF, groups=1.5)


# --- enterprise groups (off by default) ------------------------------------------------------------------
def _paths_per_party(members: list[dict[str, str]], depth: int) -> float:
    """Simple paths of 1..depth hops from every enterprise, over the parties they reach: 1.0 in a forest."""
    adj: dict[str, set[str]] = defaultdict(set)
    for m in members:
        adj[m["code"]].add(m["id_number"])
        adj[m["id_number"]].add(m["code"])
    worst = 1.0
    for start in {m["code"] for m in members}:
        paths, n, reached = [(start,)], 0, set()
        for _ in range(depth):
            paths = [p + (v,) for p in paths for v in adj[p[-1]] if v not in p]
            n += len(paths)
            reached.update(p[-1] for p in paths)
        worst = max(worst, n / max(len(reached), 1))
    return worst


def test_groups_share_a_holding_company_controller_and_partner(small, tmp_path):
    grouped = generate(tmp_path / "groups", 1000, 7, REF, groups=0.3)
    assert Manifest.load(grouped.directory).groups == 0.3 and "groups" not in small.to_json()
    enterprises = {r["code"]: r for r in read(grouped, "enterprise")}
    members = read(grouped, "member")
    held_by = defaultdict(set)       # corporate shareholder -> enterprises it holds shares in
    for m in members:
        if m["role"] == "股东" and m["id_type"] == "统一社会信用代码":
            held_by[m["id_number"]].add(m["code"])
    holding, held = max(held_by.items(), key=lambda kv: len(kv[1]))
    assert len(held) >= 3, "a group's holding company holds shares in each member"
    heads = Counter(enterprises[c]["legal_rep_id_number"] for c in held)
    assert heads.most_common(1)[0][1] >= len(held) // 2, "one controller represents most members"
    # Paths multiply between the members (several routes to the same party); the default county has none of
    # that at this size, and keeps its scenarios and its other rows.
    assert _paths_per_party(members, 4) > 2 * _paths_per_party(read(small, "member"), 4)
    assert grouped.scenarios == small.scenarios
    reference = Reference(grouped)   # and the background still never reaches a scenario subject
    for name, sc in grouped.scenarios.items():
        assert reference.verdict(("p" if sc["kind"] == "person" else "e", sc["key"])) == sc["expected"], name
    assert all(len(read(grouped, k)) == grouped.rows[k] for k in ("enterprise", "member"))


# The 1,000-enterprise default county (seed 7, REF) as written before the dense shape existed: sha256 over each
# file's name and bytes, in name order, manifest included. The default county never changes by accident.
DEFAULT_COUNTY_SHA256 = {"mixed": "4d593511c886bb1f693b244e9728ebce79cb482a4c3361a4e09b571cb0bdfc7e",
                         "csv": "ffae9e3ec3fcf07164edbed393ba1c87353256a162f050f203bc9ea9aab8bda8"}


def _digest(directory: Path) -> str:
    import hashlib
    h = hashlib.sha256()
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("formats", sorted(DEFAULT_COUNTY_SHA256))
def test_the_default_county_is_byte_for_byte_what_it_was(tmp_path, formats):
    generate(tmp_path / "c", 1000, 7, REF, formats=formats, shape="default")
    assert _digest(tmp_path / "c") == DEFAULT_COUNTY_SHA256[formats]


@pytest.fixture(scope="module")
def dense(tmp_path_factory) -> Manifest:
    return generate(tmp_path_factory.mktemp("dense"), 10_000, 7, REF, formats="csv", shape="dense")


def test_the_dense_shape_has_nominees_large_groups_and_cross_holdings(dense, tmp_path):
    assert Manifest.load(dense.directory).shape == "dense" and '"shape": "dense"' in dense.to_json()
    members, enterprises = read(dense, "member"), read(dense, "enterprise")
    # Nominees: a few persons sitting as 监事 or 股东 in 100–500 enterprises each.
    posts = Counter((m["id_number"], m["role"]) for m in members if m["id_type"] == "居民身份证")
    nominees = {who: n for (who, role), n in posts.items() if n >= 100 and role in ("监事", "股东")}
    assert 3 <= len(nominees) <= 6 and all(100 <= n <= 500 for n in nominees.values()), nominees
    # One nominee is a 失信被执行人, named as a 监事.
    listed = [r for r in read(dense, "blacklist") if r.get("id_number") in nominees]
    assert [(r["list_type"], r["person_role"]) for r in listed] == [("失信被执行人", "监事")]
    # Groups of up to 300 members, 10–20% of the enterprises in one.
    held_by = defaultdict(set)
    for m in members:
        if m["role"] == "股东" and m["id_type"] == "统一社会信用代码":
            held_by[m["id_number"]].add(m["code"])
    groups = {h: held for h, held in held_by.items() if len(held) >= 3}
    assert max(len(held) for held in groups.values()) == 300
    in_groups = set(groups) | {c for held in groups.values() for c in held}
    assert 0.10 <= len(in_groups) / len(enterprises) <= 0.20
    # Cross-shareholdings: A holds shares in B and B in A.
    pairs = {(h, c) for h, held in held_by.items() for c in held}
    assert sum((c, h) in pairs for h, c in pairs) >= 20
    # The scenarios keep their verdicts: the background still never reaches a scenario subject.
    reference = Reference(dense)
    for name, sc in dense.scenarios.items():
        assert reference.verdict(("p" if sc["kind"] == "person" else "e", sc["key"])) == sc["expected"], name
    with pytest.raises(ValueError):
        generate(tmp_path / "x", 1000, 7, REF, shape="sparse")
    with pytest.raises(ValueError):
        generate(tmp_path / "y", 1000, 7, REF, shape="dense", groups=0.1)


# --- files and headers -----------------------------------------------------------------------------------
def test_mixed_files_vary_as_departments_send_them(small):
    names = {kind: [p.name for p in paths] for kind, paths in small.files.items()}
    assert names == {"enterprise": ["enterprise.csv"], "member": ["member.csv"], "license": ["license.csv"],
                     "license-change": ["license-change.csv"], "penalty": ["penalty.xlsx"],
                     "penalty-change": ["penalty-change.csv"], "inspection": ["inspection.csv"],
                     "blacklist": ["blacklist.xlsx"]}
    d = small.directory
    assert (d / "enterprise.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (d / "member.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (d / "inspection.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    licence = (d / "license.csv").read_bytes()
    licence.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        licence.decode("utf-8")
    # Excel users type dates into cells: the penalty workbook carries real dates.
    sheet = openpyxl.load_workbook(d / "penalty.xlsx", read_only=True).worksheets[0]
    assert isinstance(next(sheet.iter_rows(min_row=2, values_only=True))[5], datetime)


def test_csv_format_writes_only_utf8_csv(tmp_path):
    manifest = generate(tmp_path, 1000, 7, REF, formats="csv", bad_rows=False)
    for kind, (path,) in manifest.files.items():
        assert path.suffix == ".csv"
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")
        assert len(read(manifest, kind)) == manifest.rows[kind]
    assert sum(manifest.rows_bad.values()) == 0
    assert set(manifest.scenarios) >= {"clear", "by_reg_no"}


def test_headers_are_the_seeds(small):
    for kind in ALL_KINDS:
        (path,) = small.files[kind]
        if path.suffix == ".xlsx":
            header = list(next(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)))
        else:
            with open(path, encoding=ENCODINGS.get(kind, "utf-8"), newline="") as fh:
                header = next(csv.reader(fh))
        if kind in REGISTRY_HEADERS:
            assert header == REGISTRY_HEADERS[kind].split("、")
            continue
        expected = ["序号"] + [f.header for f in KINDS[kind].fields]
        if kind == "penalty-change":  # the one department that types ASCII brackets
            assert header[1] == "统一社会信用代码(企业注册号)"
            header[1] = expected[1]
        assert header == expected, kind


# --- identifiers -----------------------------------------------------------------------------------------
def _code_ok(code: str) -> bool:
    try:
        if len(normalise_code(code)) == 15:
            return validate_reg_no(code)[1] is None
        validate_uscc(code)
        return True
    except InvalidIdentifier:
        return False


def test_every_code_and_id_is_valid_except_the_deliberately_bad_rows(large):
    manifest, _ = large
    for kind in ALL_KINDS:
        rows = read(manifest, kind)
        assert len(rows) == manifest.rows[kind]
        bad = 0
        for row in rows:
            broken = not _code_ok(row["code"])
            if kind in REQUIRED_DATE:
                broken |= not _valid_date(row[REQUIRED_DATE[kind]])
                if row[REQUIRED_DATE[kind]] != IMPOSSIBLE_DATE:
                    assert _valid_date(row[REQUIRED_DATE[kind]])
            bad += broken
            ids = [row.get(k, "") for k in ("id_number", "legal_rep_id_number")]
            if row.get("id_type") == "统一社会信用代码":
                validate_uscc(row["id_number"])
                ids = []
            for value in filter(None, ids):
                validate_id_number(value)
            if kind == "enterprise" and row["reg_no"]:
                assert validate_reg_no(row["reg_no"])[1] is None
        assert bad == manifest.rows_bad[kind], kind
    assert 0.003 < sum(manifest.rows_bad.values()) / sum(manifest.rows[k] for k in RECORD_KINDS) < 0.008
    assert manifest.rows_bad["enterprise"] == manifest.rows_bad["member"] == 0


def test_identities_are_unique_and_realistic(large):
    manifest, _ = large
    enterprises = read(manifest, "enterprise")
    for column in ("code", "name"):
        assert len({r[column] for r in enterprises}) == len(enterprises)
    reg_nos = [r["reg_no"] for r in enterprises if r["reg_no"]]
    assert len(set(reg_nos)) == len(reg_nos)
    assert 0.03 < len(reg_nos) / len(enterprises) < 0.08
    assert all(r["code"][2:8] == "640422" for r in enterprises)
    assert all(r["name"].startswith("西吉县") for r in enterprises)
    assert any("（集团）" in r["name"] for r in enterprises)
    assert any(r["name"].endswith("商贸部") for r in enterprises)
    assert any(r["name"].endswith("分公司") for r in enterprises)
    types = Counter(r["type"] for r in enterprises)
    assert {"个体工商户", "农民专业合作社", "股份有限公司（非上市、自然人投资或控股）"} <= set(types)
    assert {r["status"] for r in enterprises} == {"存续", "在业", "吊销", "注销"}
    assert 0.01 < sum(not r["legal_rep_id_number"] for r in enterprises) / len(enterprises) < 0.035
    ids = {r["id_number"] for r in read(manifest, "member") if r["id_type"] == "居民身份证"}
    births = [int(i[6:10]) for i in ids]
    assert 1950 <= min(births) and max(births) <= 2000
    regions = Counter(i[:6] for i in ids)
    assert regions.most_common(1)[0][0] == "640422" and len(regions) > 3
    licences = [r["license_no"] for r in read(manifest, "license")]
    assert len(set(licences)) == len(licences)
    decisions = [r["decision_no"] for r in read(manifest, "penalty")]
    assert len(set(decisions)) == len(decisions)
    assert all(d.endswith("号") and "〔" in d for d in decisions)


def test_trade_names_stay_unique_past_two_characters():
    # A million enterprises run out of two-character 字号 (79² per trade and ending) and go on with three;
    # a name must never be readable as another 字号 followed by another trade.
    n = len(ZIHAO) ** 2
    names = [trade_name(i) + trade for i in range(n - 2000, n + 6000) for trade in INDUSTRIES + COOP_INDUSTRIES]
    assert len(set(names)) == len(names)
    assert len(trade_name(n - 1)) == 2 and len(trade_name(n)) == 3


# --- registry shape --------------------------------------------------------------------------------------
def test_registry_links_people_and_enterprises(large):
    manifest, _ = large
    enterprises = {r["code"]: r for r in read(manifest, "enterprise")}
    members = read(manifest, "member")
    assert all(m["code"] in enterprises for m in members)
    per_person = defaultdict(set)
    corporate = defaultdict(set)  # enterprise -> its corporate shareholders
    for m in members:
        if m["id_type"] == "居民身份证":
            per_person[m["id_number"]].add(m["code"])
        else:
            assert m["id_type"] == "统一社会信用代码" and m["id_number"] in enterprises
            if m["role"] == "股东":
                corporate[m["code"]].add(m["id_number"])
            else:
                assert m["role"] == "隶属企业" and enterprises[m["code"]]["name"].endswith("分公司")
    # Heavy-tailed: most people hold a post in one enterprise, a few in dozens.
    counts = Counter(len(v) for v in per_person.values())
    assert counts[1] / len(per_person) > 0.6
    assert max(len(v) for v in per_person.values()) >= 10
    # Legal representatives with an ID also have their member row.
    heads = {(m["code"], m["id_number"]) for m in members if m["role"] in HEADS}
    assert all((c, r["legal_rep_id_number"]) in heads for c, r in enterprises.items() if r["legal_rep_id_number"])
    shareholders = [m for m in members if m["role"] == "股东"]
    share = sum(m["id_type"] == "统一社会信用代码" for m in shareholders) / len(shareholders)
    assert 0.05 < share < 0.15

    def chain(code: str, seen: frozenset = frozenset()) -> int:
        return max((1 + chain(c, seen | {code}) for c in corporate[code] if c not in seen), default=0)
    depths = [chain(code) for code in list(corporate)]
    assert 3 <= max(depths) <= 4


# --- records ---------------------------------------------------------------------------------------------
def test_records_of_all_six_classes_reference_what_exists(large):
    manifest, _ = large
    codes = set()
    for r in read(manifest, "enterprise"):
        codes |= {r["code"], r["reg_no"]} - {""}
    records = {kind: read(manifest, kind) for kind in RECORD_KINDS}
    for kind, rows in records.items():
        assert rows, kind
        assert all(r["code"] in codes for r in rows if _code_ok(r["code"])), kind
    assert any(len(r["code"]) == 15 for r in records["license"] + records["penalty"] + records["inspection"])
    licence_numbers = {r["license_no"] for r in records["license"] if _code_ok(r["code"])}
    assert all(r["license_no"] in licence_numbers for r in records["license-change"])
    assert {r["item"] for r in records["license-change"]} == {"有效期至", "许可内容", "状态"}
    decisions = {r["decision_no"] for r in records["penalty"] if _code_ok(r["code"])}
    assert all(r["decision_no"] in decisions for r in records["penalty-change"])
    fines = [r["fine"] for r in records["penalty"] if r["fine"]]
    assert any(f.endswith("万元") for f in fines) and any(f.endswith("元") and "万" not in f for f in fines)
    assert any("," in f for f in fines)
    assert "未发现问题" in {r["result"] for r in records["inspection"]}


def test_departments_all_appear_with_two_supernodes(large):
    manifest, _ = large
    issued = Counter()
    mentioned = set()
    for kind in set(RECORD_KINDS) - {"license-change"}:  # a licence change names no department
        column = "sender" if kind == "blacklist" else "authority"
        for r in read(manifest, kind):
            issued[_canonical_department(r[column])] += 1
            if kind == "blacklist":
                mentioned |= {_canonical_department(d) for d in r["receivers"].replace("；", "、").split("、")}
    assert set(issued) | mentioned == set(DEPARTMENTS)
    assert {name for name, _ in issued.most_common(2)} == {"县市场监督管理局", "县国税局"}
    spellings = {r["authority"] for r in read(manifest, "inspection")}
    assert {"县市场监督管理局", "县市场监管局", "西吉县市场监督管理局"} <= spellings


def test_blacklist_shape(large):
    manifest, _ = large
    rows = read(manifest, "blacklist")
    enterprises = read(manifest, "enterprise")
    assert 0.01 <= len({r["code"] for r in rows}) / len(enterprises) <= 0.03
    assert {r["list_type"] for r in rows} == {"严重违法失信企业名单", "经营异常名录", "失信被执行人", "黑名单",
                                              "重大税收违法失信主体"}
    good = [r for r in rows if _code_ok(r["code"]) and _valid_date(r["valid_from"])]
    ref = REF.isoformat()
    assert any(r["valid_to"] and r["valid_to"] < ref for r in good)                 # expired
    assert any(r["valid_from"] <= ref and (not r["valid_to"] or ref <= r["valid_to"]) for r in good)  # active
    assert any(r["valid_from"] > ref for r in good)                                   # future
    assert any(not r["valid_to"] for r in good)                                       # open-ended
    for r in rows:
        receivers = r["receivers"].replace("；", "、").split("、")
        assert 1 <= len(receivers) <= 5 and r["sender"] not in receivers
        assert bool(r["person_name"]) == bool(r["id_number"]) == (r["person_role"] == "法定代表人")
    assert any(r["id_type"] == "居民身份证" for r in rows)
    # Re-sent listings: the same listing later in the file with an earlier end.
    first = {}
    resent = 0
    for r in good:
        key = (r["code"], r["list_type"], r["sender"], r["valid_from"], r["id_number"])
        if key in first:
            assert r["valid_to"] and (not first[key]["valid_to"] or r["valid_to"] < first[key]["valid_to"])
            resent += 1
        first.setdefault(key, r)
    assert resent >= 3


# --- scenarios -------------------------------------------------------------------------------------------
SCENARIOS = {"restricted_enterprise": "restricted", "restricted_person": "restricted",
             "officer_restricted": "restricted", "three_year_bar": "restricted", "three_year_bar_expired": "linked",
             "linked_shareholder": "linked", "linked_two_hops": "linked", "linked_corporate_chain": "linked",
             "expired_only": "clear", "future_only": "clear", "clear": "clear", "by_reg_no": "restricted",
             "name_lookup": "restricted", "early_removal": "clear"}


class Reference:
    """DOMAIN.md's joint-punishment rules over the written files, as plainly as they can be said."""

    def __init__(self, manifest: Manifest):
        self.on = date.fromisoformat(manifest.reference_date)
        enterprises = read(manifest, "enterprise")
        to_uscc = {r["reg_no"]: r["code"] for r in enterprises if r["reg_no"]}
        self.edges = defaultdict(set)      # node -> neighbours; nodes are ("e", uscc) | ("p", id)
        self.posts = defaultdict(set)      # (enterprise, person) -> roles
        for m in read(manifest, "member"):
            other = ("p" if m["id_type"] == "居民身份证" else "e", m["id_number"])
            self.edges["e", m["code"]].add(other)
            self.edges[other].add(("e", m["code"]))
            self.posts[m["code"], m["id_number"]].add(m["role"])
        listings = {}
        for r in read(manifest, "blacklist"):
            if not (_code_ok(r["code"]) and _valid_date(r["valid_from"])):
                continue  # a loader rejects it
            code = to_uscc.get(r["code"], r["code"])
            key = (code, r["list_type"], r["sender"], r["valid_from"], r["id_number"])
            listings[key] = (code, r)  # a re-sent row updates the earlier one
        self.restricted = set()
        self.serious_since = defaultdict(list)  # enterprise -> 限制期限自 of its 严重违法失信 listings
        for code, r in listings.values():
            start = date.fromisoformat(r["valid_from"])
            end = date.fromisoformat(r["valid_to"]) if r["valid_to"] else None
            if r["list_type"] == "严重违法失信企业名单":
                self.serious_since[code].append(start)
            if start <= self.on and (end is None or self.on <= end):
                self.restricted.add(("e", code))
                if r["id_number"]:
                    self.restricted.add(("p", r["id_number"]))

    def verdict(self, node: tuple[str, str], depth: int = 3) -> str:
        if node in self.restricted:
            return "restricted"
        if node[0] == "e":
            for person in (n for n in self.edges[node] if n[0] == "p"):
                roles = self.posts[node[1], person[1]]
                if person in self.restricted and roles & BINDING:
                    return "restricted"
                if roles & HEADS and any(self._barred(e[1], person[1]) for e in self.edges[person] if e != node):
                    return "restricted"
        seen, frontier = {node}, [node]
        for _ in range(depth):
            frontier = [n for f in frontier for n in self.edges[f] if n not in seen]
            seen.update(frontier)
            if any(n in self.restricted for n in frontier):
                return "linked"
        return "clear"

    def _barred(self, enterprise: str, person: str) -> bool:
        if not self.posts[enterprise, person] & HEADS:
            return False
        return any(start <= self.on < start.replace(year=start.year + 3) for start in self.serious_since[enterprise])


@pytest.mark.parametrize("county", ["small", "large"])
def test_scenario_verdicts_hold_against_the_background(county, request):
    manifest = request.getfixturevalue(county)
    manifest = manifest[0] if isinstance(manifest, tuple) else manifest
    assert {name: s["expected"] for name, s in manifest.scenarios.items()} == SCENARIOS
    reference = Reference(manifest)
    for name, s in manifest.scenarios.items():
        node = ("p" if s["kind"] == "person" else "e", s["key"])
        assert reference.verdict(node) == s["expected"], name
        for depth, expected in s.get("expected_by_depth", {}).items():
            assert reference.verdict(node, int(depth)) == expected, (name, depth)
        assert s["explanation"].count(" / ") == 1
        assert (s["rule"] is None) == (s["expected"] != "restricted")


def test_scenarios_have_the_described_structure(small):
    s = small.scenarios
    enterprises = {r["code"]: r for r in read(small, "enterprise")}
    members = read(small, "member")
    listings = read(small, "blacklist")
    by_code = defaultdict(list)
    for r in listings:
        by_code[r["code"]].append(r)
    for scenario in s.values():  # scenario names never come from the background's vocabulary
        if scenario["kind"] == "enterprise":
            assert scenario["name"][3] not in ZIHAO
            assert enterprises[scenario["key"]]["name"] == scenario["name"]

    bar = s["three_year_bar"]
    (listing,) = by_code[bar["listed"]]
    assert listing["list_type"] == "严重违法失信企业名单" and not listing["id_number"] and not listing["person_name"]
    assert listing["valid_from"] == "2025-11-27"
    p = bar["legal_representative"]
    assert enterprises[bar["listed"]]["legal_rep_id_number"] == p == enterprises[bar["key"]]["legal_rep_id_number"]
    (old,) = by_code[s["three_year_bar_expired"]["listed"]]
    assert old["valid_from"] == "2022-11-27" and old["valid_to"] == ""

    person = s["restricted_person"]
    assert any(r["id_number"] == person["key"] and r["list_type"] == "失信被执行人" for r in listings)
    assert enterprises[s["officer_restricted"]["key"]]["legal_rep_id_number"] == person["key"]

    holder = s["linked_shareholder"]
    assert {m["role"] for m in members if m["code"] == holder["key"] and m["id_number"] == holder["via"]} == {"股东"}

    chain = s["linked_corporate_chain"]
    links = [chain["key"], *chain["chain"]]
    for lower, upper in zip(links, links[1:]):
        assert any(m["code"] == lower and m["id_number"] == upper and m["role"] == "股东" for m in members)

    reg = s["by_reg_no"]
    assert enterprises[reg["key"]]["reg_no"] == reg["reg_no"] and by_code[reg["reg_no"]] and not by_code[reg["key"]]

    named = s["name_lookup"]
    assert "（集团）" in named["name"] and named["query_name"] == named["name"].replace("（", "(").replace("）", ")")

    removal = by_code[s["early_removal"]["key"]]
    assert len(removal) == 2 and removal[0]["valid_to"] == "" and removal[1]["valid_to"] < small.reference_date
    assert listings.index(removal[1]) > len(listings) // 2

    clear_people = {m["id_number"] for m in members if m["code"] == s["clear"]["key"]}
    assert {m["code"] for m in members if m["id_number"] in clear_people} == {s["clear"]["key"]}


def test_ten_thousand_enterprises_generate_quickly(large):
    manifest, seconds = large
    assert manifest.rows["enterprise"] == 10_000
    assert seconds < 15


def test_scenario_subjects_keep_their_keys_at_any_size(small, large):
    # Scenario identities depend on the seed alone, so a demo's example keys hold for every county size.
    assert {n: s["key"] for n, s in small.scenarios.items()} == {n: s["key"] for n, s in large[0].scenarios.items()}
