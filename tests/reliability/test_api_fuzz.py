"""API fuzzing: every operation of /api/v1/openapi.json with generated valid and invalid input.

Schemathesis builds requests from the OpenAPI document the code generates and
checks every answer: no server errors, the status codes, content types and
bodies the document declares, schema-violating input rejected, and the same
request without credentials refused (ignored_auth). Derandomized generation
keeps CI runs repeatable.

One check is left out on purpose: `positive_data_acceptance` expects every
schema-valid request to succeed, but a valid-looking request may name a record
that does not exist or that the user may not see (422/404 by design), or a sort
field outside the allowlist.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from lejek.accounts import services as account_services

pytestmark = pytest.mark.django_db(transaction=False)


def _application():
    from lejek.config.wsgi import application

    return application


# Building the document needs no database: it is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _application())


@pytest.fixture
def token(admin):
    return account_services.token_issue(user=admin, name="fuzz")[1]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go straight to the WSGI application, whose request signals would close
    the test's database connection (and its transaction); Django's test client
    disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        additional_checks=[ignored_auth],
        excluded_checks=[positive_data_acceptance],
    )
