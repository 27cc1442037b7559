"""`creditnet demo` builds a county, loads it and every planted scenario gets its expected verdict."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app


def test_demo_checks_every_scenario(store, tmp_path):
    r = CliRunner().invoke(app, ["demo", "--enterprises", "300", "--dir", str(tmp_path / "files"), "--json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data["examples"]) >= 14
    wrong = [(e["scenario"], e["expected"], e["verdict"]) for e in data["examples"] if e["verdict"] != e["expected"]]
    assert wrong == []
    kinds = {load["kind"] for load in data["loads"]}
    assert kinds == {"enterprise", "member", "license", "license-change", "penalty", "penalty-change",
                     "inspection", "blacklist"}
    assert sum(load["rejected"] for load in data["loads"]) > 0  # the demo shows what a rejected row looks like


def test_demo_refuses_a_store_with_other_data(store, county_files, tmp_path):
    from graph.ingest import load_file
    from graph.settings import get_settings
    load_file(store, county_files["enterprise"], home=get_settings().home)
    r = CliRunner().invoke(app, ["demo", "--enterprises", "100", "--dir", str(tmp_path / "files")])
    assert r.exit_code == 2 and "--force" in r.output
