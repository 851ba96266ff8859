"""The example rule set that ships with Lejek: the lead-scoring criteria of seed 002.

Plain data, so the data migration and `services.rules_ensure_defaults` share it.
"""

from typing import Any

INACCURATE_TAG = "Inaccurate company data"

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "key": "seed002-pricing-page",
        "name": "Visited the pricing page",
        "kind": "event",
        "event_type": "page_visited",
        "conditions": [{"field": "url", "op": "contains", "value": "/pricing"}],
        "match": "all",
        "points": 10,
    },
    {
        "key": "seed002-email-opened",
        "name": "Opened an email",
        "kind": "event",
        "event_type": "email_opened",
        "conditions": [],
        "match": "all",
        "points": 1,
    },
    {
        "key": "seed002-email-clicked",
        "name": "Clicked a link in an email",
        "kind": "event",
        "event_type": "link_clicked",
        "conditions": [],
        "match": "all",
        "points": 3,
    },
    {
        "key": "seed002-inaccurate-company-data",
        "name": "Inaccurate company data",
        "kind": "attribute",
        "event_type": "",
        # Flagged by a person with the tag, or caught when the address belongs to another
        # company than the one the lead names.
        "conditions": [
            {"field": "tags", "op": "has", "value": INACCURATE_TAG},
            {"field": "email_domain_mismatch", "op": "is_true", "value": None},
        ],
        "match": "any",
        "points": -5,
    },
    {
        "key": "seed002-buyer-persona",
        "name": "Fits the buyer persona",
        "kind": "attribute",
        "event_type": "",
        "conditions": [
            {"field": "authority", "op": "in", "value": ["decision_maker", "influencer"]},
            {"field": "company_size", "op": "gte", "value": 10},
        ],
        "match": "all",
        "points": 5,
    },
]

DEFAULT_THRESHOLDS: list[dict[str, Any]] = [
    {"name": "Marketing qualified", "kind": "mql", "score": 20},
    {"name": "Disqualified by score", "kind": "floor", "score": -10},
]
