"""schemathesis against the OpenAPI document of a running `creditnet serve`, on every store.

Every operation of /openapi.json gets requests generated from its schema — valid ones (positive) and ones that
break it (negative: wrong types, missing fields, bytes that are not JSON) — sent over HTTP to a real uvicorn
over the county store, as admin, as a department, or with no key. Each answer is checked:

- not_a_server_error: no 5xx;
- status_code_conformance: the status is one the operation documents;
- content_type_conformance, response_headers_conformance, response_schema_conformance: the body is what the
  document says for that status.

Not applied: positive_data_acceptance and negative_data_rejection, which judge what the server accepts rather
than what it answers. JSON Schema cannot say that a USCC's 18th character is its check digit, that a body gives
`key` or `name` but not both, or that `since` is an ISO date-time; a request the schema allows can rightly get
422 with the reason (the documented behaviour). And unknown query parameters are ignored, as HTTP APIs do.

The normal suite asks hypothesis for FAST_EXAMPLES per operation and mode; the slow run for SLOW_EXAMPLES.
The numbers of requests and failures go to artifacts/reliability/schemathesis_<store>_<run>.json.
"""
from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import checks as sc

from api_fixtures import auth

from reliability.helpers import write_json_artifact
from reliability.live_api import LiveServer

FAST_EXAMPLES, SLOW_EXAMPLES = 20, 250
CHECKS = [sc.not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
          sc.response_headers_conformance, sc.response_schema_conformance]


@pytest.mark.writes  # generated uploads load into the county
@pytest.mark.parametrize("examples", [pytest.param(FAST_EXAMPLES, id="fast"),
                                      pytest.param(SLOW_EXAMPLES, id="slow", marks=pytest.mark.slow)])
def test_schemathesis(county, keys, tmp_path, examples):
    callers = {"admin": auth(keys.admin), "department": auth(keys.fdrc), "no key": {}}
    started = time.monotonic()
    requests, failures, unsatisfiable = 0, {}, []
    with LiveServer(tmp_path / "logs", log_level="warning") as server:
        schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                sent = [0]

                @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                          phases=[Phase.explicit, Phase.generate, Phase.shrink],
                          suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode), caller=st.sampled_from(sorted(callers)))
                def exchange(case, caller):
                    sent[0] += 1  # noqa: B023 - run within this iteration, by exchange() below
                    response = case.call(base_url=server.base, headers=callers[caller])
                    case.validate_response(response, checks=CHECKS, headers=callers[caller])

                try:
                    exchange()
                except Unsatisfiable:  # nothing about the operation can be made invalid (GET /health)
                    unsatisfiable.append(f"{operation.label} {mode.value}")
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — every operation runs; all are listed
                    failures[f"{operation.label} {mode.value}"] = str(exc)[:3000]
                requests += sent[0]
        server_log = server.log_text()
    write_json_artifact(f"schemathesis_{county.name}_{'slow' if examples == SLOW_EXAMPLES else 'fast'}.json", {
        "operations": len(operations), "examples_per_operation_and_mode": examples, "requests": requests,
        "failures": len(failures), "failed": failures, "no_negative_case_possible": unsatisfiable,
        "seconds": round(time.monotonic() - started, 1)})
    assert len(operations) >= 16 and requests > len(operations) * examples
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert "Traceback" not in server_log, server_log[-3000:]
