"""`creditnet export --to neo4j`: the copy answers every question exactly as the embedded original."""
from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from cli.main import app
from county import AS_OF, E, P
from graph.ingest import load_file
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
    embedded.close()
