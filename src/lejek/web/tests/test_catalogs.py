"""Every string of the pages is translated into Polish and Russian."""

import ast
import re
from pathlib import Path

import pytest
from babel.messages import pofile
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2]
# The page code whose strings these catalogs cover.
SOURCES = [
    PACKAGE / "web",
    PACKAGE / "contacts" / "templates",
    PACKAGE / "contacts" / "views.py",
    PACKAGE / "contacts" / "forms.py",
    PACKAGE / "leads" / "templates",
    PACKAGE / "leads" / "views.py",
    PACKAGE / "leads" / "forms.py",
    PACKAGE / "activities" / "templates",
    PACKAGE / "activities" / "views.py",
    PACKAGE / "activities" / "forms.py",
    PACKAGE / "pipelines" / "list_views.py",
    PACKAGE / "accounts" / "throttle.py",
    PACKAGE / "core" / "tags.py",
    PACKAGE / "pipelines" / "templates" / "pipelines" / "deal_list.html",
    PACKAGE / "scoring" / "templates",
    PACKAGE / "scoring" / "views.py",
    PACKAGE / "scoring" / "forms.py",
    PACKAGE / "scoring" / "templatetags",
    PACKAGE / "forecasting" / "templates",
    PACKAGE / "forecasting" / "views.py",
    PACKAGE / "forecasting" / "forms.py",
    PACKAGE / "salesops" / "templates",
    PACKAGE / "salesops" / "views.py",
    PACKAGE / "salesops" / "templatetags",
    PACKAGE / "customers" / "templates",
    PACKAGE / "customers" / "views.py",
    PACKAGE / "customers" / "public_views.py",
    PACKAGE / "customers" / "forms.py",
    PACKAGE / "dataio" / "templates",
    PACKAGE / "dataio" / "views.py",
    PACKAGE / "leads" / "flow_views.py",
    PACKAGE / "leads" / "flow_forms.py",
]
CATALOGS = [
    "web",
    "contacts",
    "leads",
    "activities",
    "scoring",
    "forecasting",
    "salesops",
    "customers",
    "dataio",
]
TEMPLATE_STRING = re.compile(r"""\{%\s*translate\s+(?:"([^"]+)"|'([^']+)')""")
BLOCK = re.compile(r"\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
# A plural block's catalog entry is keyed by its singular text.
PLURAL = re.compile(r"\{%\s*plural\s*%\}")
PYTHON_STRING = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*\)""")


def _files() -> list[Path]:
    found: list[Path] = []
    for source in SOURCES:
        if source.is_dir():
            found += [
                f
                for f in source.rglob("*")
                if f.suffix in {".html", ".py"} and "tests" not in f.parts
            ]
        else:
            found.append(source)
    return found


def _messages() -> set[str]:
    messages: set[str] = set()
    for path in _files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            messages |= {a or b for a, b in TEMPLATE_STRING.findall(text)}
            messages |= {
                re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", PLURAL.split(body)[0])
                for body in BLOCK.findall(text)
            }
        else:
            messages |= {ast.literal_eval(f'"{m}"') for m in PYTHON_STRING.findall(text)}
    return messages


def _catalog_ids(language: str) -> dict[str, object]:
    ids: dict[str, object] = {}
    for app in CATALOGS:
        path = PACKAGE / app / "locale" / language / "LC_MESSAGES" / "django.po"
        with path.open("rb") as handle:
            for message in pofile.read_po(handle):
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                if key:
                    string = message.string
                    if isinstance(string, tuple | list):
                        # Every plural form must be translated.
                        string = string if all(string) else ""
                    ids[key] = string
    return ids


def test_the_scan_finds_the_strings() -> None:
    found = _messages()
    assert {"My day", "Log a call", "Assign owner", "Nothing starts with “%(q)s”."} <= found


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_every_page_string_has_a_translation(language: str) -> None:
    ids = _catalog_ids(language)
    missing = sorted(m for m in _messages() if not ids.get(m))
    assert missing == []


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_choice_labels_shown_on_pages_are_translated(language: str) -> None:
    with translation.override(language):
        for label in ["Working", "Web form", "Decision maker", "Best case", "Open"]:
            assert translation.gettext(label) != label
        for kind in ["Call", "Meeting", "Task", "Note"]:
            assert translation.pgettext("activity", kind) != kind
