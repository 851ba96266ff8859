"""Forms of the commission plan pages: a plan's terms (rates typed as percentages, tiers as
rows of "above × target" and "rate") and putting a rep on a plan."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.salesops.models import CommissionPlan

MAX_TIERS = 10  # as the API allows
HUNDRED = Decimal(100)
KINDS = [
    (CommissionPlan.Kind.CLIFF.value, _("Cliff: nothing below target")),
    (CommissionPlan.Kind.LINEAR.value, _("Linear: from the first unit")),
]


class NumberField(forms.DecimalField):
    """A decimal typed with a comma or a dot, spaces allowed between thousands."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        return super().to_python(value)


def percent(rate: Any) -> str:
    """A stored share (0.1250) as the percentage typed on the page ("12.5")."""
    return format((Decimal(str(rate)) * HUNDRED).normalize(), "f")


def _amount(label: Any) -> NumberField:
    return NumberField(label=label, min_value=0, max_digits=16, decimal_places=2)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    base_pay = _amount(_("Base pay"))
    rate = NumberField(label=_("Rate (%)"), min_value=0, max_value=100, decimal_places=2)
    target = _amount(_("Target"))
    is_active = forms.BooleanField(label=_("Active plan"), required=False, initial=True)

    def __init__(self, *args: Any, plan: CommissionPlan | None = None, **kwargs: Any) -> None:
        if plan is not None and not args and "data" not in kwargs:
            kwargs["initial"] = initial_of(plan)
        super().__init__(*args, **kwargs)
        tiers = plan.tiers if plan is not None else []
        # Fields for every row a POST may carry; shown: the plan's tiers and two empty rows.
        self.tier_count = min(MAX_TIERS, len(tiers) + 2)
        for index in range(MAX_TIERS):
            self.fields[f"tier_above_{index}"] = NumberField(
                label=_("Above × target"),
                required=False,
                min_value=1,
                max_value=100,
                decimal_places=2,
            )
            self.fields[f"tier_rate_{index}"] = NumberField(
                label=_("Rate (%)"), required=False, min_value=0, max_value=100, decimal_places=2
            )

    def tier_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        indexes = list(range(self.tier_count))
        if self.is_bound:  # the rows that were filled in, then one empty row
            indexes = [i for i in range(MAX_TIERS) if self._typed(i)]
            indexes += [i for i in range(MAX_TIERS) if i not in indexes][:1]
        return [(self[f"tier_above_{i}"], self[f"tier_rate_{i}"]) for i in indexes]

    def _typed(self, index: int) -> bool:
        return any(self[f"tier_{part}_{index}"].value() for part in ("above", "rate"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: set[Decimal] = set()
        for index in range(MAX_TIERS):
            above_name, rate_name = f"tier_above_{index}", f"tier_rate_{index}"
            if above_name in self.errors or rate_name in self.errors:
                continue
            above, rate = data.get(above_name), data.get(rate_name)
            if above is None and rate is None:
                continue
            if above is None:
                self.add_error(above_name, _("Give the multiple of the target."))
            elif rate is None:
                self.add_error(rate_name, _("Give the rate of this tier."))
            elif above in seen:
                self.add_error(above_name, _("Another tier starts at this multiple."))
            else:
                seen.add(above)
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned values in the service's terms: shares, not percentages."""
        data = self.cleaned_data
        tiers = [
            {"above": str(data[f"tier_above_{i}"]), "rate": str(data[f"tier_rate_{i}"] / HUNDRED)}
            for i in range(MAX_TIERS)
            if data.get(f"tier_above_{i}") is not None
        ]
        return {
            "name": data["name"],
            "kind": data["kind"],
            "base_pay": data["base_pay"],
            "rate": data["rate"] / HUNDRED,
            "target": data["target"],
            "tiers": tiers,
            "is_active": data["is_active"],
        }


class PlanEditForm(PlanForm):
    """The terms of an existing plan, with the version they were read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def initial_of(plan: CommissionPlan) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": plan.name,
        "kind": plan.kind,
        "base_pay": plan.base_pay,
        "rate": percent(plan.rate),
        "target": plan.target,
        "is_active": plan.is_active,
        "version": plan.version,
    }
    for index, tier in enumerate((plan.tiers or [])[:MAX_TIERS]):
        initial[f"tier_above_{index}"] = tier["above"]
        initial[f"tier_rate_{index}"] = percent(tier["rate"])
    return initial


class RepField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssignForm(forms.Form):
    rep = RepField(label=_("Rep"), queryset=User.objects.none())

    def __init__(self, *args: Any, reps: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rep"]
        assert isinstance(field, RepField)
        field.queryset = reps
