"""`creditnet export --to neo4j`: the copy answers every question exactly as the embedded original."""
from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from cli.main import app
from county import AS_OF, E, P
from graph.ingest import load_file
from graph.names import short_name
from graph.queries.check import check
from graph.queries.profile import profile
from graph.stores.embedded import EmbeddedStore
from graph.settings import get_settings


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_export_to_neo4j_gives_the_same_answers(store, backend, county_files, home, monkeypatch):
    embedded = EmbeddedStore(home)
    for path in county_files.values():
        load_file(embedded, path, home=home)
    result = CliRunner().invoke(app, ["export", "--to", "neo4j", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["enterprise"] == 20 and counts["record"] == 14
    on = date.fromisoformat(AS_OF)
    for key in [*E.values(), *P.values()]:
        a = check(embedded, settings=get_settings(), key=key, as_of=on).as_dict()
        b = check(store, settings=get_settings(), key=key, as_of=on).as_dict()
        a.pop("data_version"), b.pop("data_version")
        assert a == b, key
    for key in E.values():
        a, b = profile(embedded, key, on), profile(store, key, on)
        a.pop("data_version"), b.pop("data_version")
        assert a == b, key
    # Neo4j Browser's caption comes with the copy (browser/README.md).
    with store.driver.session(database=store.database) as s:
        captions = [(r["name"], r["caption"]) for r in s.run("MATCH (e:Enterprise) RETURN e.name AS name, "
                                                              "e.short_name AS caption")]
    assert len(captions) == 20 and all(caption == short_name(name) for name, caption in captions)
    embedded.close()


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_export_keeps_the_earlier_terms_of_a_head_named_again(store, backend, home, tmp_path):
    """A head who left and was named again has two terms; the copy keeps both (the three-year bar asks who headed
    the enterprise on a past date)."""
    from county import ENTERPRISE_HEADERS, write_csv
    from test_tenure_store import CODE, FIRST_REP, SECOND_REP, members, registry

    embedded = EmbeddedStore(home)
    for n, (rep, name, on) in enumerate([(FIRST_REP, "甲", "2019-05-01"), (SECOND_REP, "乙", "2024-03-15"),
                                         (FIRST_REP, "甲", "2025-09-09")]):
        load_file(embedded, write_csv(tmp_path / f"registry-{n}.csv", ENTERPRISE_HEADERS + ["变更日期"],
                                      [registry(1, rep, name, on)]), home=home)
    result = CliRunner().invoke(app, ["export", "--to", "neo4j", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    original = sorted((e.member.key, e.terms) for e in members(embedded, CODE))
    assert any(len(terms) == 2 for _, terms in original)
    assert sorted((e.member.key, e.terms) for e in members(store, CODE)) == original
    embedded.close()
