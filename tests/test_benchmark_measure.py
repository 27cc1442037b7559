"""benchmarks/measure.py reads what `creditnet load --json` prints: one object per file, over as many lines as it
takes, whether the file loaded or was refused."""
from __future__ import annotations

from benchmarks import measure
from benchmarks.stores import StoreSpec


def test_load_reports_one_object_per_file_loaded_or_refused(county_files, tmp_path):
    refused = tmp_path / "picture.csv"
    refused.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    files = [county_files["enterprise"], refused, county_files["blacklist"]]
    result = measure.load(StoreSpec("embedded", tmp_path / "home"), files)
    reports = result["files"]
    assert len(reports) == len(files), reports
    assert [r.get("file", "").rsplit("/", 1)[-1] for r in reports] == [f.name for f in files]
    assert reports[0]["loaded"] > 0 and reports[2]["loaded"] > 0
    assert reports[1]["loaded"] is None and "PNG" in str(reports[1]["error"]), reports[1]
    assert result["failed_files"] == [f"picture.csv: {reports[1]['error']['message']}"[:400]]
    assert result["rows"] == reports[0]["rows"] + reports[2]["rows"] and result["exit_code"] != 0


def test_load_reports_waits_for_an_object_to_end():
    lines = ['{"file": "a.csv", "rows": 2}\n', '{"file": "b.csv",\n', ' "error": {"code": "x"}}  {"file": "c.csv"}\n']
    assert list(measure.load_reports(lines)) == [[{"file": "a.csv", "rows": 2}], [],
                                                 [{"file": "b.csv", "error": {"code": "x"}}, {"file": "c.csv"}]]
