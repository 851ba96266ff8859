"""Template helpers of the scoring pages."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lejek.scoring.forms import FIELD_LABELS, OP_LABELS
from lejek.scoring.models import ScoringRule

register = template.Library()


@register.simple_tag
def rule_conditions(rule: ScoringRule) -> SafeString | str:
    """A rule's conditions in words ("URL contains /pricing"), escaped."""
    if not rule.conditions:
        return _("every event of the type") if rule.kind == rule.Kind.EVENT else "—"
    parts = []
    for c in rule.conditions:
        field = c.get("field", "")
        if rule.kind == rule.Kind.ATTRIBUTE and field == "source":
            field = "source_lead"
        value = c.get("value")
        shown = ", ".join(value) if isinstance(value, list) else ("" if value is None else value)
        parts.append(
            (FIELD_LABELS.get(field, field), OP_LABELS.get(c.get("op"), c.get("op")), shown)
        )
    joiner = _(" and ") if rule.match == rule.Match.ALL else _(" or ")
    return format_html_join(joiner, "{} <em>{}</em> {}", parts)
