"""Loading in batches: a file's rows go out in many statements, several in flight at once on Neo4j (the client
prepares the next batch while the server writes the last), and a role of an enterprise the same file created, or
a record of an enterprise that had none, is CREATEd rather than MERGEd. Repeated rows — within one batch or across
batches — must still give one relationship per role and one record per natural key, the same on both stores, and a
statement that fails must still take the whole file with it."""
from __future__ import annotations

import pytest

from county import ENTERPRISE_HEADERS, INSPECTION_HEADERS, LICENSE_HEADERS, MEMBER_HEADERS, id_number, uscc, write_csv
from graph.ingest import load_file
from graph.queries.stats import stats
from graph.stores.neo4j import load_queries
from graph.settings import get_settings

NEW = [uscc(700 + i) for i in range(4)]
PEOPLE = [id_number(700 + i) for i in range(6)]


def registry_rows() -> list[list[str]]:
    row = lambda n, ent, rep_name, rep: [str(n), NEW[ent], "", f"西吉县新设{ent}号商贸有限公司", "有限责任公司", rep_name,
                                         "居民身份证", PEOPLE[rep], "2020-01-01", "存续", "西吉县", "西吉县市场监督管理局"]
    # NEW[0] sent twice as it is; NEW[1] sent twice, the second time with another legal representative.
    return [row(1, 0, "甲", 0), row(2, 0, "甲", 0), row(3, 1, "乙", 1), row(4, 1, "丙", 2)]


def member_rows() -> list[list[str]]:
    person = lambda n, ent, role, who, share: [str(n), NEW[ent], f"西吉县新设{ent}号商贸有限公司", role, f"人{who}",
                                                "居民身份证", PEOPLE[who], share]
    company = lambda n, ent, role, of: [str(n), NEW[ent], f"西吉县新设{ent}号商贸有限公司", role,
                                        f"西吉县新设{of}号商贸有限公司", "统一社会信用代码", NEW[of], "51%"]
    return [
        person(1, 0, "股东", 3, "20%"), person(2, 0, "股东", 3, "20%"),      # a known enterprise: MERGE, twice
        company(3, 0, "股东", 1), company(4, 0, "股东", 1),
        person(5, 3, "股东", 4, "30%"), person(6, 3, "股东", 4, "30%"),      # NEW[3] first named here: created by
        person(7, 3, "监事", 4, ""), company(8, 3, "股东", 2), company(9, 3, "股东", 2),  # this file, roles CREATEd
    ]


def roles(store, code: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted((e.member.kind, e.member.key, e.roles) for e in store.read(lambda r: r.members_of(code)))


def representatives_in_office(store, code: str) -> list[str]:
    """Who holds 法定代表人 with no end to the term (a replaced one is kept, ended, as history)."""
    return sorted(e.member.key for e in store.read(lambda r: r.members_of(code))
                  for role, _, until in e.terms if role == "法定代表人" and until is None)


@pytest.mark.parametrize("batch_size", [1, 2, 10_000])
def test_repeated_rows_make_one_relationship_per_role_in_any_batching(store, tmp_path, home, batch_size):
    if store.name == "neo4j":
        store.settings.batch_size = batch_size  # one statement per row or two, many in flight; or one batch
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    load_file(store, write_csv(tmp_path / "members.csv", MEMBER_HEADERS, member_rows()), home=home)

    assert roles(store, NEW[0]) == [("enterprise", NEW[1], ("股东",)), ("person", PEOPLE[0], ("法定代表人",)),
                                    ("person", PEOPLE[3], ("股东",))]
    # 乙's term ended when the next row named 丙: kept as history, 丙 in office.
    assert roles(store, NEW[1]) == [("person", PEOPLE[1], ("法定代表人",)), ("person", PEOPLE[2], ("法定代表人",))]
    assert representatives_in_office(store, NEW[1]) == [PEOPLE[2]]
    assert roles(store, NEW[3]) == [("enterprise", NEW[2], ("股东",)), ("person", PEOPLE[4], ("监事", "股东"))]
    nodes = stats(store)["nodes"]
    # NEW[2] is created by the member file as a shareholder.
    assert (nodes["enterprise"], nodes["role"]) == (4, 8)
    version = store.data_version()
    load_file(store, write_csv(tmp_path / "again.csv", MEMBER_HEADERS, member_rows()), home=home)
    assert store.data_version() == version and stats(store)["nodes"] == nodes  # sent again: nothing changes


def test_a_statement_failing_in_flight_rolls_the_whole_file_back(store, tmp_path, home, monkeypatch):
    """On Neo4j the statements run on the sender's thread: its failure must reach the loader and undo the file."""
    if store.name != "neo4j":
        pytest.skip("the embedded store writes on the loading thread")
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    before, version = stats(store), store.data_version()
    store.settings.batch_size = 2  # the failing statement comes after others already sent
    monkeypatch.setattr(load_queries, "UPSERT_PERSONS", "UNWIND $rows AS row RETURN 1 / 0")
    from neo4j.exceptions import ClientError
    with pytest.raises(ClientError, match="/ by zero|Division by zero|divide by zero"):
        load_file(store, write_csv(tmp_path / "members.csv", MEMBER_HEADERS, member_rows()), home=home)
    assert stats(store) == before and store.data_version() == version


def licence_rows() -> list[list[str]]:
    row = lambda n, ent, no, until, issuer: [str(n), NEW[ent], f"西吉县新设{ent}号商贸有限公司", f"JY{no}", "食品经营许可证",
                                            "2024-01-01", until, issuer, "餐饮服务", "有效", ""]
    # NEW[0] is in the registry with no record yet; NEW[3] is first named here (the file creates it). Licence 1 is
    # re-sent by a later row with another end date and issuer (the last one wins, its issuer replaces the first).
    return [row(1, 0, 1, "2029-01-01", "县市场监督管理局"), row(2, 3, 2, "2029-01-01", "县市场监督管理局"),
            row(3, 0, 3, "2029-01-01", "县卫计局"), row(4, 0, 1, "2030-01-01", "县卫计局")]


def records(store, code: str) -> dict[str, list[tuple]]:
    found = store.read(lambda r: r.records_of(code))
    return {kind: sorted((r.get("license_no") or r.get("inspection_date"), r.get("valid_to"), tuple(r["departments"]))
                         for r in rs) for kind, rs in found.items()}


@pytest.mark.parametrize("batch_size", [1, 2, 10_000])
def test_records_of_enterprises_without_records_are_one_per_natural_key_in_any_batching(store, tmp_path, home,
                                                                                        batch_size):
    if store.name == "neo4j":
        store.settings.batch_size = batch_size
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    load_file(store, write_csv(tmp_path / "license.csv", LICENSE_HEADERS, licence_rows()), home=home)
    assert records(store, NEW[0]) == {"license": [("JY1", "2030-01-01", ("县卫计局",)),
                                                  ("JY3", "2029-01-01", ("县卫计局",))]}
    assert records(store, NEW[3]) == {"license": [("JY2", "2029-01-01", ("县市场监督管理局",))]}
    # Another kind for an enterprise that has licences now, and the licences sent again: nothing changes twice.
    inspections = [[str(n), NEW[0], "西吉县新设0号商贸有限公司", "县市场监督管理局", "双随机抽查", day, "未发现问题"]
                   for n, day in ((1, "2025-09-09"), (2, "2025-10-10"), (3, "2025-09-09"))]
    load_file(store, write_csv(tmp_path / "inspection.csv", INSPECTION_HEADERS, inspections), home=home)
    assert [r[0] for r in records(store, NEW[0])["inspection"]] == ["2025-09-09", "2025-10-10"]
    content = lambda: {k: v for k, v in stats(store).items() if k not in ("loads", "data_version")}  # loads are logged
    counts, version = content(), store.data_version()
    load_file(store, write_csv(tmp_path / "again.csv", LICENSE_HEADERS, licence_rows()), home=home)
    load_file(store, write_csv(tmp_path / "again2.csv", INSPECTION_HEADERS, inspections), home=home)
    assert content() == counts
    if store.name == "embedded" or batch_size > len(licence_rows()):
        # On Neo4j a row corrected further down the file in another batch moves the version (README, "Re-sent").
        assert store.data_version() == version


def test_schema_of_older_stores_loses_its_redundant_record_indexes(store):
    """Stores made by earlier versions had a uid constraint per record label and an index on Record.eid beside the
    constraint on Record.uid; opening such a store drops them and keeps Record.uid unique."""
    if store.name != "neo4j":
        pytest.skip("Neo4j schema")
    with store.driver.session(database=store.database) as s:
        s.run("CREATE CONSTRAINT license_uid IF NOT EXISTS FOR (r:License) REQUIRE r.uid IS UNIQUE").consume()
        s.run("CREATE INDEX record_eid IF NOT EXISTS FOR (r:Record) ON (r.eid)").consume()
        names = lambda: {r["name"] for r in s.run("SHOW INDEXES YIELD name")}
        assert {"license_uid", "record_eid"} <= names()
        store.init_schema()
        assert not {"license_uid", "record_eid"} & names()
        assert [r["t"] for r in s.run("SHOW CONSTRAINTS YIELD name, type WHERE name = 'record_uid' RETURN type AS t")] \
            == ["UNIQUENESS"]


def test_two_loads_creating_the_same_records_at_once_fail_one_file_cleanly(store, tmp_path, home):
    """Records of an enterprise that had none are CREATEd. Two loads sending them at the same moment: the second
    waits on the first's uniqueness entry and, once the first commits, fails. It must fail as StoreBusy saying
    that nothing of the file was loaded and to load it again — not as a raw constraint error — and loading it
    again must match what the first wrote."""
    if store.name != "neo4j":
        pytest.skip("the embedded store lets one load write at a time (SQLite's write lock)")
    import threading
    import time

    from graph.errors import StoreBusy
    from graph.stores import open_store

    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    path = write_csv(tmp_path / "license.csv", LICENSE_HEADERS, licence_rows())
    store.settings.batch_size = 1            # every record goes to the server as soon as it is read
    outcome: dict = {}

    def the_other_load() -> None:
        other = open_store()
        other.settings.batch_size = 1
        try:
            outcome["report"] = load_file(other, path, home=home)
        except Exception as exc:             # what the test is about: examined below
            outcome["error"] = exc
        finally:
            other.close()

    other = threading.Thread(target=the_other_load)

    def start_the_other_while_this_one_is_open(fraction: float) -> None:
        if not other.is_alive() and "started" not in outcome:
            outcome["started"] = True
            time.sleep(0.5)                  # this load's CREATEs reach the server, uncommitted
            other.start()
            time.sleep(2.0)                  # the other reaches them and waits

    load_file(store, path, home=home, progress=start_the_other_while_this_one_is_open)
    other.join(120)
    assert not other.is_alive()
    error = outcome.get("error")
    assert isinstance(error, StoreBusy), f"the second load should have been refused cleanly, got {outcome}"
    if getattr(error.__cause__, "code", None) == "Neo.ClientError.Schema.ConstraintValidationFailed":
        assert "nothing of this file was loaded" in error.message and "load it again" in error.message
    expected = {"license": [("JY1", "2030-01-01", ("县卫计局",)), ("JY3", "2029-01-01", ("县卫计局",))]}
    assert records(store, NEW[0]) == expected
    # Loaded again (in one batch: a correction further down the file in another batch moves the version on Neo4j,
    # README "Re-sent"), the file matches what is there.
    store.settings.batch_size = 10_000
    version = store.data_version()
    assert load_file(store, path, home=home).changed is False
    assert records(store, NEW[0]) == expected and store.data_version() == version


@pytest.mark.writes
def test_older_stores_holding_fields_twice_read_the_same_and_are_rewritten_once(county, county_files, home):
    """Stores written by earlier versions held each enterprise's and record's fields twice: a JSON copy (`props`) and
    the properties Neo4j Browser shows. Such a store reads the same before it is rewritten and after; opening it
    rewrites every such node with each field once, as a property, without moving the data version; and loading the
    same files again afterwards changes nothing."""
    import json
    from datetime import date

    from county import AS_OF, E
    from graph.queries.check import check
    from graph.queries.department import department
    from graph.queries.profile import profile
    from graph.stores.neo4j.properties import ENTERPRISE_KEYS, RECORD_KEYS

    store = county
    if store.name != "neo4j":
        pytest.skip("the shape of Neo4j nodes")
    on = date.fromisoformat(AS_OF)

    def answers():
        checks = [check(store, settings=get_settings(), key=code, as_of=on).as_dict() for code in E.values()]
        for c in checks:
            c.pop("check_id", None)
        return ([profile(store, code, on) for code in E.values()], checks, department(store, "县财政局", on))

    before, version = answers(), store.data_version()
    display = {"Enterprise": ("type", "legal_rep", "established", "status", "address", "authority"),
               "Record": ("name", "license_no", "license_name", "decision_no", "valid_from", "valid_to", "list_type")}
    with store.driver.session(database=store.database) as s:
        nodes = list(s.run("MATCH (n) WHERE n:Enterprise OR n:Record RETURN elementId(n) AS id, "
                           "CASE WHEN n:Enterprise THEN 'Enterprise' ELSE 'Record' END AS label, properties(n) AS p"))
        assert nodes and all("props" not in n["p"] for n in nodes)
        for n in nodes:  # the shape they had: identity, a JSON copy of the fields, some of them again for Browser
            structural = ENTERPRISE_KEYS if n["label"] == "Enterprise" else RECORD_KEYS
            fields = {k: v for k, v in n["p"].items() if k not in structural}
            old = {k: v for k, v in n["p"].items() if k in structural or k in display[n["label"]]}
            old["props"] = json.dumps(fields, ensure_ascii=False, sort_keys=True)
            if "fp" in old:
                old["fp"] = "a fingerprint computed another way"
            s.run("MATCH (n) WHERE elementId(n) = $id SET n = $old", id=n["id"], old=old).consume()
        s.run("MATCH (m:CreditnetMeta) REMOVE m.fields_as_properties").consume()
        assert answers() == before  # read as it is, before it is rewritten
        store.init_schema()
        after = {r["id"]: r["p"] for r in s.run("MATCH (n) WHERE n:Enterprise OR n:Record "
                                               "RETURN elementId(n) AS id, properties(n) AS p")}
    for n in nodes:
        rewritten = dict(after[n["id"]])
        assert "props" not in rewritten
        if n["label"] == "Enterprise":
            assert rewritten.pop("fp") != "a fingerprint computed another way"
            n["p"].pop("fp")
        assert rewritten == n["p"]
    assert answers() == before and store.data_version() == version
    for path in county_files.values():
        assert load_file(store, path, home=home).changed is False
    assert store.data_version() == version


@pytest.mark.parametrize("batch_size", [1, 3, 10_000])
def test_a_person_named_in_many_rows_keeps_the_last_name_sent_in_any_batching(store, tmp_path, home, batch_size):
    """The Neo4j writer sends a person only when a row would change what the file already wrote about them: a
    repeated person costs nothing, a renamed one still gets the new name."""
    if store.name == "neo4j":
        store.settings.batch_size = batch_size
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    who = PEOPLE[5]
    member = lambda n, ent, role, name, id_type: [str(n), NEW[ent], f"西吉县新设{ent}号商贸有限公司", role, name,
                                                 id_type, who, ""]
    rows = [member(1, 0, "监事", "王五", "居民身份证"), member(2, 1, "监事", "王五", "居民身份证"),
            member(3, 0, "董事", "王伍", "居民身份证"), member(4, 1, "董事", "王伍", "居民身份证"),
            member(5, 2, "监事", "王伍", "居民身份证"), member(6, 3, "董事", "王伍", "居民身份证")]
    load_file(store, write_csv(tmp_path / "members.csv", MEMBER_HEADERS, rows), home=home)
    assert store.read(lambda r: r.person(who)).name == "王伍"
    assert sorted(e.enterprise.key for e in store.read(lambda r: r.roles_of(r.person(who)))) == sorted(NEW)
    version = store.data_version()
    load_file(store, write_csv(tmp_path / "again.csv", MEMBER_HEADERS, rows[2:]), home=home)
    assert store.data_version() == version  # the rows giving the last name sent again: nothing changes
    load_file(store, write_csv(tmp_path / "renamed.csv", MEMBER_HEADERS, [member(1, 0, "监事", "王五", "居民身份证")]),
              home=home)
    assert store.read(lambda r: r.person(who)).name == "王五" and store.data_version() == version + 1


@pytest.mark.parametrize("batch_size", [1, 10_000])
def test_a_role_sent_again_with_another_share_keeps_the_last_one(store, tmp_path, home, batch_size):
    """The Neo4j writer leaves out a person's role that the store (or the file) already holds with the same share;
    a share changed and changed back in one file must still end as the last row says. (An earlier writer, given the two
    rows in one batch, left 30% on Neo4j: the MERGE compared both rows with the share before either was written.)"""
    if store.name == "neo4j":
        store.settings.batch_size = batch_size
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    holder = lambda n, share: [str(n), NEW[0], "西吉县新设0号商贸有限公司", "股东", "人5", "居民身份证", PEOPLE[5], share]
    load_file(store, write_csv(tmp_path / "first.csv", MEMBER_HEADERS, [holder(1, "20%")]), home=home)
    version = store.data_version()
    load_file(store, write_csv(tmp_path / "same.csv", MEMBER_HEADERS, [holder(1, "20%")]), home=home)
    assert store.data_version() == version
    # 30% and back to 20%: the data ends as it was (the version may move: the rows are written one after the other
    # in batches of one, or the last one only, as here in one batch of 10,000).
    load_file(store, write_csv(tmp_path / "there_and_back.csv", MEMBER_HEADERS, [holder(1, "30%"), holder(2, "20%")]),
              home=home)
    version = store.data_version()
    load_file(store, write_csv(tmp_path / "same_again.csv", MEMBER_HEADERS, [holder(1, "20%")]), home=home)
    assert store.data_version() == version  # the role holds 20% again: nothing to change
    load_file(store, write_csv(tmp_path / "changed.csv", MEMBER_HEADERS, [holder(1, "30%")]), home=home)
    assert store.data_version() == version + 1


@pytest.mark.parametrize("batch_size", [1, 10_000])
def test_a_legal_representative_replaced_and_named_again_in_one_file_is_kept(store, tmp_path, home, batch_size):
    """A registry row replacing an enterprise's legal representative ends the old one's term; a later row naming
    the old one again must put them back in office, though the store held the role when the file began."""
    if store.name == "neo4j":
        store.settings.batch_size = batch_size
    rows = registry_rows()
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, rows[:3]), home=home)
    assert ("person", PEOPLE[1], ("法定代表人",)) in roles(store, NEW[1])
    again = [rows[3], [str(5), *rows[2][1:]]]  # NEW[1]: PEOPLE[2], then PEOPLE[1] again
    load_file(store, write_csv(tmp_path / "again.csv", ENTERPRISE_HEADERS, again), home=home)
    assert representatives_in_office(store, NEW[1]) == [PEOPLE[1]]
    assert [key for kind, key, held in roles(store, NEW[1]) if "法定代表人" in held] == [PEOPLE[1], PEOPLE[2]]
