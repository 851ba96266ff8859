"""Forms of the lead flow pages: parsing only; the services validate and save."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import Team, User
from lejek.leads.models import RoutingRule, Source, WebForm
from lejek.pipelines.models import Pipeline
from lejek.web.forms import styled


def _users() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "username")


class ConvertForm(forms.Form):
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none())
    title = forms.CharField(label=_("Deal title"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    expected_close_date = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "name"
        )
        styled(self, size="")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["pipeline_id"] = data.pop("pipeline").pk
        return data


class WebFormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Address"), max_length=60, help_text=_("The form posts to /f/<address>/.")
    )
    mapping = forms.CharField(
        label=_("Fields"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line: the form's field name = the lead field, e.g. company = "
            "company_name. Mark required fields with *, e.g. email* = email."
        ),
    )
    honeypot = forms.CharField(
        label=_("Honeypot field"),
        max_length=60,
        required=False,
        initial="website",
        help_text=_("Hidden from people; a submission that fills it is refused."),
    )
    secret = forms.CharField(
        label=_("Shared secret"),
        max_length=120,
        required=False,
        help_text=_("When set, submissions must send it as _secret."),
    )
    per_hour = forms.IntegerField(
        label=_("Submissions per address per hour"), min_value=1, max_value=10_000, initial=20
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.WEB_FORM)
    campaign = forms.CharField(label=_("Campaign"), max_length=200, required=False)
    default_owner = forms.ModelChoiceField(
        label=_("Owner when no routing rule applies"), required=False, queryset=User.objects.none()
    )
    thank_you = forms.CharField(label=_("Thank-you page address"), max_length=500, required=False)
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_owner"].queryset = _users()  # type: ignore[attr-defined]
        styled(self, size="")

    def clean_fields_text(self) -> tuple[dict[str, str], list[str]]:
        mapping: dict[str, str] = {}
        required: list[str] = []
        for line in (self.cleaned_data.get("mapping") or "").splitlines():
            if not line.strip():
                continue
            name, sep, target = line.partition("=")
            if not sep:
                raise forms.ValidationError(_("Write each line as name = lead field."))
            name = name.strip()
            if name.endswith("*"):
                name = name[:-1].strip()
                required.append(name)
            mapping[name] = target.strip()
        return mapping, required

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("mapping")
        data["fields"], data["required"] = self.clean_fields_text()
        owner = data.pop("default_owner")
        data["default_owner_id"] = owner.pk if owner else None
        return data

    @staticmethod
    def initial_of(form: WebForm) -> dict[str, Any]:
        lines = [
            f"{name}{'*' if name in form.required else ''} = {target}"
            for name, target in form.fields.items()
        ]
        return {
            "name": form.name, "slug": form.slug, "mapping": "\n".join(lines),
            "honeypot": form.honeypot, "secret": form.secret, "per_hour": form.per_hour,
            "source": form.source, "campaign": form.campaign,
            "default_owner": form.default_owner_id, "thank_you": form.thank_you,
            "is_active": form.is_active,
        }  # fmt: skip


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    position = forms.IntegerField(
        label=_("Order"), min_value=0, initial=0, help_text=_("Lower numbers are tried first.")
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any")), *Source.choices]
    )
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        help_text=_("Two-letter codes, comma-separated; empty for any."),
    )
    min_company_size = forms.IntegerField(label=_("Company size from"), required=False, min_value=0)
    max_company_size = forms.IntegerField(label=_("Company size to"), required=False, min_value=0)
    team = forms.ModelChoiceField(
        label=_("Team (in turn)"), required=False, queryset=Team.objects.none()
    )
    user = forms.ModelChoiceField(
        label=_("…or one rep"), required=False, queryset=User.objects.none()
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["user"].queryset = _users()  # type: ignore[attr-defined]
        styled(self, size="")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        team, user = data.pop("team"), data.pop("user")
        data["team_id"] = team.pk if team else None
        data["user_id"] = user.pk if user else None
        return data

    @staticmethod
    def initial_of(rule: RoutingRule) -> dict[str, Any]:
        return {
            "name": rule.name, "position": rule.position, "source": rule.source,
            "countries": ", ".join(rule.countries), "min_company_size": rule.min_company_size,
            "max_company_size": rule.max_company_size, "team": rule.team_id, "user": rule.user_id,
            "is_active": rule.is_active,
        }  # fmt: skip
