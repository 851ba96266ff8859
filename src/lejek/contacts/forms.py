"""Forms of the people and organization pages; the services validate again on write."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.contacts.models import Organization
from lejek.web import lists
from lejek.web.forms import styled


class OrganizationPicker(forms.Widget):
    """A search box that fills a short select of organizations, for tables of any size."""

    template_name = "contacts/organization_picker.html"

    def __init__(self, user: User, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.user = user

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        current = None
        if value not in (None, ""):
            pk = value.pk if isinstance(value, Organization) else value
            if str(pk).isdigit() and len(str(pk)) <= 18:
                current = Organization.objects.visible_to(self.user).filter(pk=pk).first()
        context["current"] = current
        context["pick_url"] = reverse("web:pick-organization")
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


def organization_field(user: User, required: bool = False) -> forms.Field:
    """An organization by id; the service checks that the user may see it."""
    return forms.IntegerField(
        required=required,
        min_value=1,
        max_value=2**63 - 1,
        label=_("Organization"),
        widget=OrganizationPicker(user),
    )


def owner_field(user: User, required: bool = False) -> forms.Field:
    return lists.OwnerChoiceField(
        queryset=lists.owner_choices(user), required=required, label=_("Owner")
    )


class OwnedForm(forms.Form):
    """A record form whose owner choices depend on who fills it in."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"] = owner_field(user)
        self.fields["owner"].initial = user.pk
        styled(self, size="")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        owner = data.pop("owner", None)
        data["owner_id"] = owner.pk if owner is not None else None
        return data


class PersonForm(OwnedForm):
    first_name = forms.CharField(max_length=100, required=False, label=_("First name"))
    last_name = forms.CharField(max_length=100, label=_("Last name"))
    email = forms.EmailField(required=False, label=_("Email"))
    phone = forms.CharField(max_length=50, required=False, label=_("Phone"))
    job_title = forms.CharField(max_length=150, required=False, label=_("Job title"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"] = organization_field(user)
        self.order_fields(["first_name", "last_name", "email", "phone", "job_title"])

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["organization_id"] = data.pop("organization", None)
        return data


class OrganizationForm(OwnedForm):
    name = forms.CharField(max_length=200, label=_("Name"))
    domain = forms.CharField(max_length=200, required=False, label=_("Domain"))
    industry = forms.CharField(max_length=100, required=False, label=_("Industry"))
    employees = forms.IntegerField(
        required=False, min_value=0, max_value=10_000_000, label=_("Employees")
    )
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        label=_("Country"),
        help_text=_("Two-letter code, e.g. PL"),
        error_messages={"invalid": _("Use a two-letter country code, e.g. PL.")},
    )
    city = forms.CharField(max_length=100, required=False, label=_("City"))
    address = forms.CharField(max_length=300, required=False, label=_("Address"))
    phone = forms.CharField(max_length=50, required=False, label=_("Phone"))
    website = forms.CharField(max_length=300, required=False, label=_("Website"))


class PersonFilterForm(lists.FilterForm):
    owner = lists.OwnerChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner"), empty_label=_("Anyone")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lists.owner_choices(self.user)  # type: ignore[attr-defined]


class OrganizationFilterForm(PersonFilterForm):
    is_customer = forms.TypedChoiceField(
        required=False,
        label=_("Customer"),
        choices=[("", _("Any")), ("1", _("Customers")), ("0", _("Prospects"))],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    industry = forms.CharField(required=False, max_length=100, label=_("Industry"))
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        label=_("Country"),
        widget=forms.TextInput(attrs={"size": 3, "placeholder": "PL"}),
        error_messages={"invalid": _("Use a two-letter country code, e.g. PL.")},
    )
