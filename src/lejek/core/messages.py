"""Compiling translation catalogs with Babel (no GNU gettext needed).

Every app keeps its own catalogs in `<app>/locale/<lang>/LC_MESSAGES/django.po`;
the compiled `.mo` files are committed beside them so a fresh install needs no
compile step. `lejek messages` recompiles; a test fails when a `.mo` is stale.
"""

import datetime
import io
from pathlib import Path

from babel.messages import mofile, pofile

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def catalogs(root: Path = PACKAGE_ROOT) -> list[Path]:
    return sorted(root.glob("*/locale/*/LC_MESSAGES/*.po"))


def compiled(po_path: Path) -> bytes:
    with po_path.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=po_path.parts[-3])
    # Babel fills missing header dates with "now"; fixed dates keep the .mo reproducible.
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    return buffer.getvalue()


def stale(root: Path = PACKAGE_ROOT) -> list[Path]:
    """Catalogs whose committed `.mo` is missing or differs from a fresh compile."""
    result = []
    for po_path in catalogs(root):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != compiled(po_path):
            result.append(po_path)
    return result


def compile_all(root: Path = PACKAGE_ROOT) -> list[Path]:
    written = []
    for po_path in stale(root):
        po_path.with_suffix(".mo").write_bytes(compiled(po_path))
        written.append(po_path)
    return written
