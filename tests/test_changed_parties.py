"""Which parties a loaded row names (graph/stores/changes.py `row_codes`): the same whether the row reaches the
store as the loaders' dict or as the embedded store's prepared tuple (graph/stores/embedded_rows.py)."""
from __future__ import annotations

import county as c
from graph.loaders.pipeline import Reading
from graph.stores.changes import row_codes
from graph.stores.embedded_rows import preparer


def test_a_prepared_row_names_the_parties_its_dict_names(tmp_path):
    seen = 0
    for kind, path in c.write_county(tmp_path).items():
        with Reading(path, kind, None) as reading:
            reading.open()
            for batch, _ in reading.batches():
                for item in batch:
                    if type(item) is not tuple:  # a rejected row
                        continue
                    values = item[1]
                    assert sorted(row_codes(kind, preparer(kind)(values))) == sorted(row_codes(kind, values)), values
                    seen += 1
    assert seen > 30
