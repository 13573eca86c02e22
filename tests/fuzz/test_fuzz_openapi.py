"""schemathesis against the local server's ``/openapi.json``: no 5xx and no schema violation, with a valid key
and without one.

The app runs in-process (schemathesis' ASGI transport), so no socket is opened. Each operation gets a bounded
number of generated requests (valid and invalid bodies, paths and queries) so CI stays fast.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from chatroutes_core.server import create_app
from chatroutes_core.testing import new_api_key

KEY = new_api_key()
app = create_app(api_keys=[KEY])
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
BOUNDED = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@schema.parametrize()
@BOUNDED
def test_authenticated_requests_never_fail_the_server_or_the_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"ApiKey {KEY}"}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_unauthenticated_requests_are_refused_cleanly(case: schemathesis.Case) -> None:
    response = case.call_and_validate(checks=CHECKS)
    # Without a key nothing succeeds: a well-formed request is a 401, unparsable JSON may be a 400 first, a
    # method the route does not have is a 405. Only the health check may answer without a key.
    if case.path != "/api/v1/autobranch/health":
        assert not 200 <= response.status_code < 300, (case.method, case.path, response.status_code)
