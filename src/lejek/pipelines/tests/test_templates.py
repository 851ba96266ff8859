"""The four seed templates, exactly as SPEC C2 lists them."""

import pytest

from lejek.pipelines.templates import TEMPLATES

pytestmark = pytest.mark.django_db

EXPECTED_NAMES = {
    "outbound_b2b": [
        "Cold prospect",
        "Conversation started",
        "Demo/intro meeting booked",
        "Proposal or contract considered",
        "Closed",
    ],
    "seven_stage": [
        "Prospecting",
        "Qualification",
        "Meeting",
        "Proposal",
        "Negotiation",
        "Closing",
        "Fulfilment",
    ],
    "probability_weighted": [
        "Discovery call",
        "Qualified",
        "Product demo",
        "Product trial",
        "Final call",
        "Won",
    ],
    "sales_cycle": [
        "Lead generation",
        "First contact",
        "Qualification",
        "Sales presentation",
        "Objection handling",
        "Closing",
        "Post-sale follow-up",
    ],
}


def test_template_catalogue_names():
    assert {k: [s.name for s in t.stages] for k, t in TEMPLATES.items()} == EXPECTED_NAMES


def test_seed_002_probabilities():
    stages = TEMPLATES["probability_weighted"].stages
    assert [s.probability for s in stages] == [10, 20, 40, 60, 80, 100]


def test_every_template_rises_to_100():
    for template in TEMPLATES.values():
        probabilities = [s.probability for s in template.stages]
        assert probabilities == sorted(probabilities)
        assert probabilities[-1] == 100


@pytest.mark.parametrize("key", sorted(EXPECTED_NAMES))
def test_each_template_created_in_one_call(api_as, admin, key):
    response = api_as(admin).post("pipelines", {"template": key})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == TEMPLATES[key].name
    assert [s["name"] for s in body["stages"]] == EXPECTED_NAMES[key]
    assert [s["probability"] for s in body["stages"]] == [
        s.probability for s in TEMPLATES[key].stages
    ]
    assert [s["order"] for s in body["stages"]] == list(range(len(EXPECTED_NAMES[key])))


def test_templates_endpoint_lists_all(api_as, owner):
    body = api_as(owner).get("pipelines/templates").json()
    assert [t["key"] for t in body] == list(TEMPLATES)
    weighted = next(t for t in body if t["key"] == "probability_weighted")
    assert weighted["seed"] == "002"
    assert weighted["stages"][3] == {"name": "Product trial", "probability": 60, "rotting_days": 30}
