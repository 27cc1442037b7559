"""Tenure of roles and listings of a person without an enterprise, as both stores keep them.

Registries record 任职日期 and 离任日期, and a legal representative changes by 变更登记 (DOMAIN.md, "Real-world
variation"): a bar follows who held the post at the time, so a store keeps every term, ended ones too, and a
registry row naming another legal representative ends the earlier one's term on the change date instead of
forgetting them. Which terms count on a date is the check's question, not the store's.

失信被执行人 lists natural persons too: such a row has no enterprise code, and the person is the listing's only
subject. Its rows are written here through `graph.row_writes.write_row`, as a parser hands them over.
"""
from __future__ import annotations

import sqlite3
from datetime import date

from typer.testing import CliRunner

from county import ENTERPRISE_HEADERS, MEMBER_HEADERS, id_number, uscc, write_csv
from graph.ingest import load_file
from graph.row_writes import write_row
from graph.model import Party

CODE, NAME = uscc(900), "西吉县任期商贸有限公司"
OTHER = uscc(901)
FIRST_REP, SECOND_REP, SUPERVISOR, DIRECTOR = (id_number(n) for n in (901, 902, 903, 904))
REP = "法定代表人"
TERM_HEADERS = MEMBER_HEADERS + ["任职日期", "离任日期"]


def registry(n: int, rep: str, rep_name: str, *dates: str) -> list[str]:
    return [str(n), CODE, "", NAME, "有限责任公司", rep_name, "居民身份证", rep, "2015-03-01", "存续", "西吉县吉强镇",
            "西吉县市场监督管理局", *dates]


def member(n: int, role: str, person: str, person_name: str, *dates: str) -> list[str]:
    return [str(n), CODE, NAME, role, person_name, "居民身份证", person, "", *dates]


def terms(edges, key: str) -> tuple:
    """The terms of the edge whose member is `key`."""
    found = [e.terms for e in edges if e.member.key == key]
    assert len(found) == 1, edges
    return found[0]


def members(store, code: str = CODE):
    return store.read(lambda r: r.members_of(code))


def first_registry(store, tmp_path, home):
    """The registry names 甲 legal representative since 2019-05-01 (法定代表人任职日期, as Excel on Windows saves it)."""
    path = write_csv(tmp_path / "registry-2019.csv", ENTERPRISE_HEADERS + ["法定代表人任职日期"],
                     [registry(1, FIRST_REP, "甲", "2019/5/1")], "gbk")
    assert load_file(store, path, home=home).rejected == 0


# --- terms of members --------------------------------------------------------------------------------------
def test_a_member_files_terms_reach_the_edges(store, tmp_path, home):
    path = write_csv(tmp_path / "members.csv", TERM_HEADERS, [
        member(1, "监事", SUPERVISOR, "丙", "2018-01-01", "2023年1月2日"),  # left: kept, ended
        member(2, "董事", DIRECTOR, "丁", "2021-07-01", ""),                # in office
        member(3, "股东", DIRECTOR, "丁", "", ""),                           # the registry does not say
    ], "gbk")
    report = load_file(store, path, home=home)
    assert (report.rejected, report.encoding.lower().startswith("gb")) == (0, True)

    by_members = members(store)
    assert terms(by_members, SUPERVISOR) == (("监事", "2018-01-01", "2023-01-02"),)
    assert terms(by_members, DIRECTOR) == (("股东", None, None), ("董事", "2021-07-01", None))
    assert {e.member.key: e.roles for e in by_members} == {SUPERVISOR: ("监事",), DIRECTOR: ("股东", "董事")}

    enterprise = Party("enterprise", CODE)
    by_expand = store.read(lambda r: r.expand([enterprise], 100))
    assert sorted((e.member.key, e.terms) for e in by_expand) == sorted((e.member.key, e.terms) for e in by_members)
    by_person = store.read(lambda r: r.expand([Party("person", SUPERVISOR)], 100))
    assert [e.terms for e in by_person] == [(("监事", "2018-01-01", "2023-01-02"),)]
    assert [e.terms for e in store.read(lambda r: r.roles_of(Party("person", DIRECTOR)))] == \
        [(("股东", None, None), ("董事", "2021-07-01", None))]
    # The one-query neighbourhood a check asks for (Neo4j), or None where the store is asked level by level.
    found = store.read(lambda r: r.neighbourhood(enterprise, 2, 100))
    if found is not None:
        assert sorted((e.member.key, e.terms) for e in found.expand([enterprise], 100)) == \
            sorted((e.member.key, e.terms) for e in by_members)


def test_a_stale_member_file_does_not_bring_back_an_ended_supervisor(store, tmp_path, home):
    load_file(store, write_csv(tmp_path / "members.csv", TERM_HEADERS,
                               [member(1, "监事", SUPERVISOR, "丙", "2018-01-01", "2023-01-02")]), home=home)
    version = store.data_version()
    # An older extract, without the tenure columns: it names the 监事 and says nothing of the term.
    stale = load_file(store, write_csv(tmp_path / "stale.csv", MEMBER_HEADERS, [member(1, "监事", SUPERVISOR, "丙")]),
                      home=home)
    assert terms(members(store), SUPERVISOR) == (("监事", "2018-01-01", "2023-01-02"),)
    assert (stale.changed, store.data_version()) == (False, version)
    # A later extract that gives the term a new end is written.
    load_file(store, write_csv(tmp_path / "later.csv", TERM_HEADERS,
                               [member(1, "监事", SUPERVISOR, "丙", "", "2022-12-31")]), home=home)
    assert terms(members(store), SUPERVISOR) == (("监事", "2018-01-01", "2022-12-31"),)
    assert store.data_version() == version + 1


# --- a registry change ends the earlier legal representative's term ----------------------------------------
def test_a_change_of_legal_representative_ends_the_first_at_the_change_date(store, tmp_path, home):
    first_registry(store, tmp_path, home)
    assert terms(members(store), FIRST_REP) == ((REP, "2019-05-01", None),)

    change = write_csv(tmp_path / "registry-2024.csv", ENTERPRISE_HEADERS + ["变更日期"],
                       [registry(1, SECOND_REP, "乙", "2024-03-15")], "utf-8-sig")
    assert load_file(store, change, home=home, as_of=date(2026, 6, 1)).changed is True
    held = members(store)
    assert terms(held, FIRST_REP) == ((REP, "2019-05-01", "2024-03-15"),)  # kept as history
    assert terms(held, SECOND_REP) == ((REP, "2024-03-15", None),)
    assert sorted(e.member.key for e in held) == [FIRST_REP, SECOND_REP]
    assert [e.terms for e in store.read(lambda r: r.roles_of(Party("person", FIRST_REP)))] == \
        [((REP, "2019-05-01", "2024-03-15"),)]

    # The same file again (another day): nothing changes, not even the data version.
    version = store.data_version()
    again = load_file(store, change, home=home, as_of=date(2026, 7, 1))
    assert (again.changed, store.data_version()) == (False, version)
    assert sorted((e.member.key, e.terms) for e in members(store)) == sorted((e.member.key, e.terms) for e in held)

    # The first one named again by a later change: back in office, the second one's term ends.
    back = write_csv(tmp_path / "registry-2025.csv", ENTERPRISE_HEADERS + ["核准日期"],
                     [registry(1, FIRST_REP, "甲", "2025-09-09")])
    load_file(store, back, home=home)
    held = members(store)
    # … a new term from the change, the first one kept: a bar asks who headed it on a past date.
    assert terms(held, FIRST_REP) == ((REP, "2025-09-09", None), (REP, "2019-05-01", "2024-03-15"))
    assert terms(held, SECOND_REP) == ((REP, "2024-03-15", "2025-09-09"),)


def test_without_a_change_date_the_load_as_of_date_ends_the_first(store, tmp_path, home):
    first_registry(store, tmp_path, home)
    change = write_csv(tmp_path / "registry-new.csv", ENTERPRISE_HEADERS, [registry(1, SECOND_REP, "乙")])
    load_file(store, change, home=home, as_of=date(2025, 1, 2))
    held = members(store)
    assert terms(held, FIRST_REP) == ((REP, "2019-05-01", "2025-01-02"),)
    assert terms(held, SECOND_REP) == ((REP, "2025-01-02", None),)
    version = store.data_version()
    assert load_file(store, change, home=home, as_of=date(2025, 2, 3)).changed is False
    assert store.data_version() == version


def test_the_new_representatives_own_start_date_is_kept(store, tmp_path, home):
    first_registry(store, tmp_path, home)
    change = write_csv(tmp_path / "registry-new.csv", ENTERPRISE_HEADERS + ["任职日期"],
                       [registry(1, SECOND_REP, "乙", "2024-04-01")])
    load_file(store, change, home=home, as_of=date(2026, 6, 1))
    held = members(store)
    # No 变更日期: the change took effect when the new one took office.
    assert terms(held, FIRST_REP) == ((REP, "2019-05-01", "2024-04-01"),)
    assert terms(held, SECOND_REP) == ((REP, "2024-04-01", None),)


def test_a_new_enterprise_named_with_its_representative_has_nothing_to_end(store, tmp_path, home):
    first_registry(store, tmp_path, home)
    held = members(store)
    assert [(e.member.key, e.terms) for e in held] == [(FIRST_REP, ((REP, "2019-05-01", None),))]


def test_the_store_counts_roles_with_history(store, tmp_path, home):
    first_registry(store, tmp_path, home)
    load_file(store, write_csv(tmp_path / "new.csv", ENTERPRISE_HEADERS, [registry(1, SECOND_REP, "乙")]), home=home)
    assert store.read(lambda r: r.counts())["nodes"]["role"] == 2


# --- an old embedded store file ----------------------------------------------------------------------------
OLD_ROLE_TABLE = """
CREATE TABLE role (
    enterprise_id INTEGER NOT NULL,
    member_kind TEXT NOT NULL,
    member_ref TEXT NOT NULL,
    role TEXT NOT NULL,
    share TEXT,
    PRIMARY KEY (enterprise_id, member_kind, member_ref, role)
);
"""


def test_an_old_embedded_store_file_opens_migrates_and_answers(tmp_path):
    from graph.stores.embedded import EmbeddedStore
    from graph.stores.sqlite_schema import SCHEMA_VERSION

    home = tmp_path / "home"
    store = EmbeddedStore(home)
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, [registry(1, FIRST_REP, "甲")]),
              home=home)
    store.close()
    # The file as the version before terms wrote it: role without since/until, schema version 1.
    conn = sqlite3.connect(home / "creditnet.sqlite")
    with conn:
        conn.execute("ALTER TABLE role RENAME TO role_new")
        conn.execute(OLD_ROLE_TABLE)
        conn.execute("INSERT INTO role SELECT enterprise_id, member_kind, member_ref, role, share FROM role_new")
        conn.execute("DROP TABLE role_new")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.close()

    for _ in range(2):  # opened twice: the second open finds nothing to do
        store = EmbeddedStore(home)
        try:
            columns = [row[1] for row in store._write_conn.execute("PRAGMA table_info(role)")]
            assert columns[-3:] == ["since", "until", "former"]
            assert store._write_conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == \
                str(SCHEMA_VERSION)
            assert [(e.member.key, e.terms) for e in members(store)] == [(FIRST_REP, ((REP, None, None),))]
        finally:
            store.close()

    store = EmbeddedStore(home)
    try:
        load_file(store, write_csv(tmp_path / "new.csv", ENTERPRISE_HEADERS + ["变更日期"],
                                   [registry(1, SECOND_REP, "乙", "2024-03-15")]), home=home)
        held = members(store)
        assert terms(held, FIRST_REP) == ((REP, None, "2024-03-15"),)
        assert terms(held, SECOND_REP) == ((REP, "2024-03-15", None),)
    finally:
        store.close()


# --- the CLI ---------------------------------------------------------------------------------------------
def test_creditnet_load_takes_the_as_of_date(home, tmp_path):
    from cli.main import app
    from graph.stores import open_store

    runner = CliRunner()
    first = write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, [registry(1, FIRST_REP, "甲")])
    second = write_csv(tmp_path / "registry-new.csv", ENTERPRISE_HEADERS, [registry(1, SECOND_REP, "乙")])
    assert runner.invoke(app, ["load", "--quiet", str(first)]).exit_code == 0
    result = runner.invoke(app, ["load", "--quiet", "--as-of", "2025-01-02", str(second)])
    assert result.exit_code == 0, result.output
    with open_store() as store:
        assert terms(members(store), FIRST_REP) == ((REP, None, "2025-01-02"),)
    bad = runner.invoke(app, ["load", "--quiet", "--as-of", "2025-13-01", str(second)])
    assert bad.exit_code != 0
    assert "--as-of" in runner.invoke(app, ["load", "--help"]).output


def test_an_api_upload_takes_the_as_of_date(store, home, tmp_path, fast_keys):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.accounts import Accounts

    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, [registry(1, FIRST_REP, "甲")]), home=home)
    second = write_csv(tmp_path / "registry-new.csv", ENTERPRISE_HEADERS, [registry(1, SECOND_REP, "乙")])
    with Accounts(home) as accounts:
        _, key = accounts.add("县市场监管局", role="admin")
    with TestClient(create_app()) as client:
        sent = client.post("/api/v1/records/enterprise?as_of=2025-01-02", files={"file": ("registry-new.csv", second.read_bytes())},
                           headers={"Authorization": f"Bearer {key}"})
        assert sent.status_code == 200, sent.text
        assert client.post("/api/v1/records/enterprise?as_of=2025-13-01", files={"file": ("r.csv", second.read_bytes())},
                           headers={"Authorization": f"Bearer {key}"}).status_code == 422
    assert terms(members(store), FIRST_REP) == ((REP, None, "2025-01-02"),)


# --- a listing of a natural person alone -----------------------------------------------------------------
LISTED = id_number(905)
COURT, RECEIVER = "县法院", "县市场监督管理局"


def person_listing(valid_to: str | None = None) -> dict:
    """A 失信被执行人 row that names a person and no enterprise, as the parser hands it over."""
    return {"member_kind": "person", "code_kind": None, "code": None, "name": None,
            "basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》", "description": "拒不履行生效判决",
            "valid_from": "2026-01-05", "valid_to": valid_to, "sender": [COURT], "receivers": [RECEIVER, "县公安局"],
            "list_type": "失信被执行人", "person_role": None, "person_name": "孙某", "id_type": "居民身份证",
            "id_number": LISTED}


def write_listing(store, values: dict) -> None:
    with store.writer("person-listing") as w:
        write_row(w, "blacklist", values)


def test_a_listing_of_a_person_alone_is_kept_with_the_person_as_its_subject(store, tmp_path, home):
    first_registry(store, tmp_path, home)  # an enterprise in the store: the listing must not attach to it
    write_listing(store, person_listing())
    person = Party("person", LISTED)

    found = store.read(lambda r: r.listings_of([person]))
    assert list(found) == [person]
    (listing,) = found[person]
    assert (listing["list_type"], listing["valid_from"], listing.get("valid_to"), listing["sender"]) == \
        ("失信被执行人", "2026-01-05", None, COURT)
    assert store.read(lambda r: r.person(LISTED)).name == "孙某"

    (received,) = store.read(lambda r: r.department_listings(RECEIVER))
    assert received["_subjects"] == [Party("person", LISTED, "孙某")]
    assert store.read(lambda r: r.records_of(CODE)) == {}
    assert store.read(lambda r: r.counts())["records"] == {"blacklist": 1}
    assert store.read(lambda r: r.enterprise_by_code(CODE, "uscc")) is not None
    assert store.read(lambda r: r.counts())["nodes"]["enterprise"] == 1  # no enterprise made for it


def test_a_person_listing_sent_again_updates_the_same_listing(store):
    write_listing(store, person_listing())
    version = store.data_version()
    write_listing(store, person_listing())  # the same row: nothing changes
    assert store.data_version() == version
    write_listing(store, person_listing(valid_to="2026-03-01"))  # an early removal
    assert store.data_version() == version + 1
    person = Party("person", LISTED)
    (listing,) = store.read(lambda r: r.listings_of([person]))[person]
    assert listing["valid_to"] == "2026-03-01"
    assert store.read(lambda r: r.counts())["records"] == {"blacklist": 1}
