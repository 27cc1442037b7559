"""One question sees one state of the store, even when a load commits while it is being answered."""
from __future__ import annotations

from county import BLACKLIST_HEADERS, E, NAMES, write_csv
from graph.ingest import load_file
from graph.model import Party
from graph.stores import open_store


def test_a_load_committing_mid_question_is_never_half_seen(county, tmp_path, home):
    removal = write_csv(tmp_path / "removal.csv", BLACKLIST_HEADERS, [[
        "1", E["LISTED"], NAMES["LISTED"], "《企业信息公示暂行条例》第十七条", "测试描述", "2026-01-10", "2026-03-01",
        "县市场监管局", "县财政局、县发改局", "经营异常名录", "", "", "", ""]])
    listed = Party("enterprise", E["LISTED"])
    calls = []

    def question(reader):
        first = reader.listings_of([listed])[listed][0].get("valid_to")
        if not calls:
            other = open_store()  # another process's load, committing in the middle of this question
            try:
                load_file(other, removal, home=home)
            finally:
                other.close()
        calls.append(first)
        second = reader.listings_of([listed])[listed][0].get("valid_to")
        return first, second

    first, second = county.read(question)
    assert first == second  # never a mixture of before and after
    if county.snapshot_reads:
        assert (first, len(calls)) == (None, 1)          # the snapshot from before the load
    else:
        assert (first, len(calls)) == ("2026-03-01", 2)  # asked again, and answered from after the load
