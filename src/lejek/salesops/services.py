"""The writes of sales operations, by subject: `quotas`, `plans`, `statements`, `reviews`.

Kept as a re-export for callers outside this app (the browser tests); code in the app
imports the subject modules.
"""

from lejek.salesops.audits import week_start_of
from lejek.salesops.plans import plan_assign, plan_create, plan_unassign, plan_update, terms_of
from lejek.salesops.quotas import (
    parse_period,
    period_start_of,
    quota_create,
    quota_delete,
    quota_update,
    quotas_import,
)
from lejek.salesops.reviews import audit_week_open, review_record
from lejek.salesops.statements import (
    statement_approve,
    statement_compute,
    statement_reconcile,
    statements_compute,
    statements_reconcile,
)

__all__ = [
    "audit_week_open",
    "parse_period",
    "period_start_of",
    "plan_assign",
    "plan_create",
    "plan_unassign",
    "plan_update",
    "quota_create",
    "quota_delete",
    "quota_update",
    "quotas_import",
    "review_record",
    "statement_approve",
    "statement_compute",
    "statement_reconcile",
    "statements_compute",
    "statements_reconcile",
    "terms_of",
    "week_start_of",
]
