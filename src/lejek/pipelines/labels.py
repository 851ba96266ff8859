"""Our labels for the pipelines' choices, in the user's language (the models keep English)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lejek.leads.models import Source
from lejek.pipelines.models import Deal

STATUS_LABELS: dict[str, Any] = {
    Deal.Status.OPEN: _("Open"),
    Deal.Status.WON: _("Won"),
    Deal.Status.LOST: _("Lost"),
}
FORECAST_LABELS: dict[str, Any] = {
    Deal.ForecastCategory.PIPELINE: pgettext_lazy("forecast category", "Pipeline"),
    Deal.ForecastCategory.BEST_CASE: _("Best case"),
    Deal.ForecastCategory.COMMIT: _("Commit"),
    Deal.ForecastCategory.OMITTED: _("Omitted"),
}
OBJECTION_LABELS: dict[str, Any] = {
    Deal.Objection.PRICE_VALUE: _("Price vs value"),
    Deal.Objection.RISK: _("Risk"),
    Deal.Objection.OFFER_CONTENT: _("Offer content"),
    Deal.Objection.CONTRACT_TERMS: _("Contract terms"),
    Deal.Objection.TIMING: _("Timing"),
    Deal.Objection.COMPETITOR: _("Competitor"),
    Deal.Objection.NO_DECISION: _("No decision"),
}
SOURCE_LABELS: dict[str, Any] = {
    Source.CAMPAIGN: _("Campaign"),
    Source.WEB_FORM: _("Web form"),
    Source.EVENT: _("Event"),
    Source.REFERRAL: _("Referral"),
    Source.IMPORT: _("Import"),
    Source.API: _("API"),
    Source.OUTBOUND: _("Outbound prospecting"),
    Source.INBOUND_CALL: _("Inbound call"),
    Source.PARTNER: _("Partner"),
    Source.OTHER: _("Other"),
}
CLOSE_PERIODS: dict[str, Any] = {
    "overdue": _("Overdue"),
    "this_month": _("This month"),
    "next_month": _("Next month"),
    "this_quarter": _("This quarter"),
    "next_quarter": _("Next quarter"),
    "this_year": _("This year"),
}
