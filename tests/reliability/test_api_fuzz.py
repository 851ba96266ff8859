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
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from lejek.accounts import services as account_services
from lejek.activities import services as activity_services
from lejek.contacts import services as contact_services
from lejek.leads.tests.factories import make_lead
from lejek.pipelines.tests import factories as pipeline_factories

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


# --- stateful phase ---------------------------------------------------------------------
# The document declares no OpenAPI links; schemathesis infers them from the operations
# (a `POST /leads` answer's `id` feeds `lead_id` of `GET /leads/{lead_id}`, and so on) and
# chains calls along them: create, then read, change, act on and delete what was created.
STATEFUL_SCENARIOS = 20
STATEFUL_STEPS = 10
# (operation, status, whether the call followed a link from an earlier answer)
stateful_calls: list[tuple[str, int, bool]] = []


def _workflow(token: str):
    """The state machine, built when the test runs: inferring the links adds them to the
    schema, which the operation tests above read at collection."""

    class APIWorkflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self):
            # Every scenario starts from the same data: Hypothesis replays scenarios and would
            # see them behave differently (FlakyStrategyDefinition) if earlier ones left rows.
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def step(self, input):
            output = super().step(input)
            linked = input.transition is not None and input.is_applied
            stateful_calls.append((input.case.operation.label, output.response.status_code, linked))
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                additional_checks=[ignored_auth],
                excluded_checks=[positive_data_acceptance],
                headers=kwargs.get("headers"),  # the token is ours, not generated
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    return APIWorkflow


@pytest.fixture
def some_records(admin):
    """A few records of the main kinds, so that lists answer with ids the links can follow."""
    pipeline = pipeline_factories.pipeline(admin)
    organization = contact_services.organization_create(actor=admin, data={"name": "Acme"})
    contact_services.person_create(
        actor=admin,
        data={"first_name": "Anna", "last_name": "Nowak", "organization_id": organization.pk},
    )
    for n in range(2):
        lead = make_lead(admin, email=f"lead{n}@acme.example")
        deal = pipeline_factories.deal(admin, pipeline, title=f"Deal {n}")
        for link in ({"lead_id": lead.pk}, {"deal_id": deal.pk}):
            activity_services.activity_create(
                actor=admin, data={"kind": "task", "subject": "Call back", **link}
            )


def test_api_stateful(token, some_records):
    """Chains of calls along the inferred links, bounded: 20 scenarios of up to 10 calls."""
    stateful_calls.clear()
    _workflow(token).run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    linked = [c for c in stateful_calls if c[2]]
    print(
        f"\nstateful phase: {len(stateful_calls)} calls, {len(linked)} along a link, "
        f"{len({c[0] for c in stateful_calls})} operations, "
        f"{sum(200 <= c[1] < 300 for c in linked)} linked calls answered 2xx"
    )
    assert linked, "no call followed a link: the inferred links are gone"
