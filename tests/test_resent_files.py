"""A file that changes the same enterprise, role, person or record twice (a row and, further down, its
correction), loaded again: the store ends where it was, and the data version should not move.

Records are recognised on both stores (the embedded writer compares each record it updated with what it was
before the file; Neo4j within one write batch, `CREDITNET_BATCH_SIZE` rows). On the embedded store registry rows,
member rows and persons corrected within a file are not, nor on Neo4j across write batches, nor a legal
representative replaced within one batch: each re-load applies the first row and then its correction, and the
version moves although the data is the same (RELIABILITY.md, "Known limits"). Those cases are strict xfails of
that one assertion (`VersionMoved`): a fix shows up here as an unexpected pass, and any other failure fails."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from county import ENTERPRISE_HEADERS, LICENSE_HEADERS, MEMBER_HEADERS, id_number, uscc, write_csv
from graph.ingest import load_file
from graph.queries.profile import profile
from graph.queries.stats import stats

CODE, NAME = uscc(800), "西吉县复报商贸有限公司"
FIRST_REP, SECOND_REP, HOLDER = id_number(801), id_number(802), id_number(803)


def registry(n: int, status: str, rep: str, rep_name: str = "甲") -> list[str]:
    return [str(n), CODE, "", NAME, "有限责任公司", rep_name, "居民身份证", rep, "2020-01-01", status, "西吉县",
            "西吉县市场监督管理局"]


def shareholder(n: int, share: str, name: str = "丁") -> list[str]:
    return [str(n), CODE, NAME, "股东", name, "居民身份证", HOLDER, share]


def licence(n: int, valid_to: str) -> list[str]:
    return [str(n), CODE, NAME, "JY1", "食品经营许可证", "2020-01-01", valid_to, "县市场监管局", "食品", "有效", ""]


# Each file names one thing twice, the second time corrected.
FILES = {
    "registry status": (ENTERPRISE_HEADERS, [registry(1, "在业", FIRST_REP), registry(2, "存续", FIRST_REP)]),
    "legal representative": (ENTERPRISE_HEADERS, [registry(1, "存续", FIRST_REP), registry(2, "存续", SECOND_REP, "乙")]),
    "share": (MEMBER_HEADERS, [shareholder(1, "20%"), shareholder(2, "30%")]),
    "person's name": (MEMBER_HEADERS, [shareholder(1, "20%", "张"), shareholder(2, "20%", "章")]),
    "licence": (LICENSE_HEADERS, [licence(1, "2030-01-01"), licence(2, "2031-01-01")]),
}
# (store, rows per write batch on Neo4j) -> the files whose re-load still moves the version.
MOVES_THE_VERSION = {
    ("embedded", None): {"registry status", "legal representative", "share", "person's name"},
    ("neo4j", 10_000): {"legal representative"},
    ("neo4j", 1): set(FILES),
}


class VersionMoved(AssertionError):
    """The known limit: a load moved the data version (or said "changed") although the data is the same."""


def version_held(changed: bool, version: int, before: int) -> None:
    if (changed, version) != (False, before):
        raise VersionMoved(f"changed={changed}, data version {before} -> {version}, the data the same")


def state(store):
    """What a clerk or an official can see of the file's enterprise: counts, its profile, its members."""
    shown = {k: v for k, v in profile(store, CODE).items() if k != "data_version"}
    members = sorted((e.member.kind, e.member.key, e.member.name, e.roles)
                     for e in store.read(lambda r: r.members_of(CODE)))
    return stats(store)["nodes"], shown, members


@pytest.mark.parametrize("batch_size", [None, 1])
@pytest.mark.parametrize("name", list(FILES))
def test_a_file_correcting_its_own_row_changes_nothing_the_second_time(store, tmp_path, home, name, batch_size,
                                                                       request):
    if store.name == "embedded" and batch_size == 1:
        pytest.skip("the embedded store has no write batches")
    if store.name == "neo4j":
        store.settings.batch_size = batch_size = batch_size or 10_000
    if name in MOVES_THE_VERSION[(store.name, batch_size)]:
        request.applymarker(pytest.mark.xfail(strict=True, raises=VersionMoved,
                                              reason="known limit: RELIABILITY.md, Known limits"))
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, [registry(1, "迁出", FIRST_REP)]),
              home=home)
    headers, rows = FILES[name]
    first = load_file(store, write_csv(tmp_path / "first.csv", headers, rows), home=home)
    assert first.changed is True
    before, version = state(store), store.data_version()
    again = load_file(store, write_csv(tmp_path / "again.csv", headers, rows), home=home)
    assert state(store) == before  # the data is the same on every store and in every case
    version_held(again.changed, store.data_version(), version)


# --- the embedded store: the version moves exactly when the data does --------------------------------------
CODES = [uscc(810 + i) for i in range(3)]
PEOPLE = [id_number(820 + i) for i in range(3)]


def registry_row(n: int, enterprise: int, status: str, rep: int, rep_name: str) -> list[str]:
    return [str(n), CODES[enterprise], "", f"西吉县复报{enterprise}号商贸有限公司", "有限责任公司", rep_name, "居民身份证",
            PEOPLE[rep], "2020-01-01", status, "西吉县", "西吉县市场监督管理局"]


def member_row(n: int, enterprise: int, person: int, role: str, name: str, share: str) -> list[str]:
    return [str(n), CODES[enterprise], f"西吉县复报{enterprise}号商贸有限公司", role, name, "居民身份证", PEOPLE[person],
            share]


registry_rows = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["存续", "在业"]), st.integers(0, 2),
                                   st.sampled_from(["甲", "乙"])), min_size=1, max_size=6)
member_rows = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(["股东", "监事"]),
                                 st.sampled_from(["甲", "乙"]), st.sampled_from(["", "20%", "30%"])),
                       min_size=1, max_size=6)
files = st.lists(st.one_of(registry_rows.map(lambda rows: ("registry", rows)),
                           member_rows.map(lambda rows: ("member", rows))), min_size=1, max_size=4)


def everything(store) -> tuple:
    """Every enterprise, person and role in the embedded store, by natural key (not by rowid)."""
    c = store._write_conn
    return (sorted(c.execute("SELECT key, uscc, reg_no, name, name_norm, in_registry, props FROM enterprise")),
            sorted(c.execute("SELECT id_number, name, id_type FROM person")),
            sorted(c.execute("SELECT e.key, r.member_kind, r.member_ref, r.role, coalesce(r.share, '') FROM role r "
                             "JOIN enterprise e ON e.id = r.enterprise_id")))


@pytest.mark.xfail(strict=True, raises=VersionMoved, reason="known limit: RELIABILITY.md, Known limits (a re-sent "
                   "file that corrects itself moves the version)")
@settings(max_examples=60, deadline=None, derandomize=True)   # the same examples every run: a strict xfail
@given(files)
def test_the_version_moves_exactly_when_the_data_does(tmp_path_factory, sent):
    """Registry and member files naming a few enterprises, persons and roles in every order, each loaded twice:
    after every load, the data version moved and the report says "changed" exactly when the enterprises,
    persons or roles differ from before that load. The embedded store fails it today: a file correcting its own
    registry rows, members or names moves the version when loaded again. A fix shows as an unexpected pass."""
    from graph.stores.embedded import EmbeddedStore
    directory = tmp_path_factory.mktemp("resent")
    store = EmbeddedStore(directory / "home")
    try:
        for i, (kind, rows) in enumerate(sent):
            if kind == "registry":
                path = write_csv(directory / f"{i}.csv", ENTERPRISE_HEADERS,
                                 [registry_row(n, *row) for n, row in enumerate(rows, 1)])
            else:
                path = write_csv(directory / f"{i}.csv", MEMBER_HEADERS,
                                 [member_row(n, *row) for n, row in enumerate(rows, 1)])
            for _ in range(2):
                before, version = everything(store), store.data_version()
                report = load_file(store, path, home=directory / "home")
                moved = store.data_version() != version
                assert moved == report.changed, (kind, rows, report.rejected)
                if everything(store) != before:
                    assert moved, (kind, rows, report.rejected)  # a change the version did not show
                else:
                    version_held(report.changed, store.data_version(), version)
    finally:
        store.close()
