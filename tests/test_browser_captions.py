"""What Neo4j Browser shows of a node: the enterprise's caption is the distinctive part of its name (`short_name`,
written with the node by the Neo4j writer, the export and the upgrade of an older store), and every property a node
carries is explained in Chinese in browser/README.md."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from county import E, NAMES
from test_browser_queries import neo4j_only, run  # noqa: F401 (fixture)

from graph.names import short_name

README = Path(__file__).resolve().parents[1] / "browser" / "README.md"


@pytest.mark.parametrize("name, caption", [
    ("西吉县金金建材有限公司", "金金建材"),
    ("宁夏回族自治区固原市西吉县华兴农业科技开发有限公司", "华兴农业科技开发"),
    ("西吉县某某商贸（集团）有限公司", "某某商贸"),
    ("招商银行股份有限公司", "招商银行"),
    ("西吉县金金建材有限公司宁夏分公司", "金金建材 宁夏分公司"),
    ("西吉县兴隆超市", "兴隆超市"),  # a shop's ending is its trade
    ("ABC贸易有限公司", "ABC贸易"),  # as written, not case-folded
    ("西吉縣金金建材有限公司", "金金建材"),
    ("金金", "金金"),  # nothing to drop: the name itself
    ("", None),
])
def test_a_caption_is_the_distinctive_part_of_the_name(name, caption):
    assert short_name(name) == caption


def test_two_enterprises_of_one_county_are_told_apart():
    """Browser cut both to 西吉县金金…; their captions differ."""
    assert short_name("西吉县金金建材有限公司") != short_name("西吉县金金商贸有限公司")


@neo4j_only
def test_every_enterprise_of_the_county_carries_its_caption(run):
    found = {r["name"]: r["caption"] for r in run("MATCH (e:Enterprise) RETURN e.name AS name, e.short_name AS caption")}
    assert found[NAMES["LISTED"]] == short_name(NAMES["LISTED"]) and found[NAMES["LISTED"]] != NAMES["LISTED"]
    assert all(caption == short_name(name) for name, caption in found.items() if name)


@neo4j_only
@pytest.mark.writes
def test_an_older_store_gets_its_captions_when_opened(store, backend, county_files, home):
    """A store written before `short_name`: init_schema gives every enterprise its caption once, the answers and the
    data version unchanged, and a reload of the same files changes nothing."""
    from graph.ingest import load_file
    from graph.queries.profile import profile

    for path in county_files.values():
        load_file(store, path, home=home)
    before, version = [profile(store, code) for code in E.values()], store.data_version()
    with store.driver.session(database=store.database) as s:
        s.run("MATCH (e:Enterprise) REMOVE e.short_name SET e.fp = 'an older fingerprint'").consume()
        s.run("MATCH (m:CreditnetMeta) REMOVE m.short_names").consume()
        store.init_schema()
        captions = {r["name"]: r["caption"] for r in s.run("MATCH (e:Enterprise) RETURN e.name AS name, "
                                                          "e.short_name AS caption, e.fp AS fp")}
    assert captions and all(caption == short_name(name) for name, caption in captions.items())
    assert [profile(store, code) for code in E.values()] == before and store.data_version() == version
    for path in county_files.values():
        assert load_file(store, path, home=home).changed is False


@neo4j_only
def test_every_property_a_node_carries_is_explained_in_chinese(run):
    """browser/README.md has a row for each property of each label found in the county: `property` | its meaning."""
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|[^|]*[\u4e00-\u9fff][^|]*\|", text, flags=re.M))
    keys = {r["key"] for r in run("MATCH (n) UNWIND keys(n) AS key RETURN DISTINCT key")}
    keys |= {r["key"] for r in run("MATCH ()-[n]->() UNWIND keys(n) AS key RETURN DISTINCT key")}
    assert keys - documented == set(), f"properties with no explanation in browser/README.md: {sorted(keys - documented)}"
