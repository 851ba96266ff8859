"""A commission statement as a PDF (A4), and the statement's exports in every format.

The document holds what the statement page shows: the rep, the month, the status (a draft
is marked DRAFT on every page, and says so when its deals changed since it was computed),
the plan and the terms used, the totals and every line (a draft's read from the deals now,
`statements.statement_lines`), in the active language. Amounts are the statement's
Decimals written to the cent with their currency, never floats.

The text font is Source Sans Pro from the `font-source-sans-pro` package, embedded as a
subset so that Polish and Cyrillic letters render. Only its regular and bold faces are
used: the italic files of that package have no Cyrillic letters.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import font_source_sans_pro
from django.http import HttpResponse, HttpResponseBase
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from lejek.core import money
from lejek.dataio import exports
from lejek.salesops import calc, plans, present, statements
from lejek.salesops.models import Statement, StatementLine
from lejek.salesops.templatetags import salesops_format

PRODUCT = "Lejek"
FORMATS = (*exports.FORMATS, "pdf")
PDF_TYPE = "application/pdf"

FONT = "SourceSans"
FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}

MARGIN = 15.0  # mm, left and right
TOP = 20.0  # mm: below the running header
BOTTOM = 16.0  # mm: above the page number
GREY = (110, 110, 110)
RULE = (190, 190, 190)
BLACK = (20, 20, 20)
RED = (176, 32, 48)
SHADE = (255, 243, 205)  # adjustment lines, as on the statement page
HEADING_FILL = (233, 236, 239)

KIND_LABELS: dict[str, Promise] = {
    StatementLine.Kind.DEAL: gettext_lazy("Won deal"),
    StatementLine.Kind.CLAWBACK: gettext_lazy("Clawback: no longer won"),
    StatementLine.Kind.CHANGE: gettext_lazy("Change to a counted deal"),
    StatementLine.Kind.LATE: gettext_lazy("Deal counted late"),
    StatementLine.Kind.COMMISSION: gettext_lazy("Commission recalculated"),
}
STATUS_LABELS: dict[str, Promise] = {
    Statement.Status.DRAFT: gettext_lazy("Draft"),
    Statement.Status.APPROVED: gettext_lazy("Approved"),
}
PLAN_KIND_LABELS: dict[str, Promise] = {
    calc.CLIFF: gettext_lazy("Cliff: nothing below target"),
    calc.LINEAR: gettext_lazy("Linear: from the first unit"),
}

# Lines table: column widths in mm (they add up to the 180 mm between the margins).
COLUMN_WIDTHS = (34.0, 38.0, 17.0, 24.0, 20.0, 20.0, 27.0)
COLUMN_ALIGN = ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT")


def font_path(style: str = "") -> Path:
    """The TTF file of the regular ("") or bold ("B") face, inside the installed package."""
    return Path(font_source_sans_pro.font_directory) / FONT_FILES[style]


def amount(value: Decimal | None, currency: str = "") -> str:
    """An amount to the cent, grouped by thousands, with its currency: 12,000.00 USD."""
    if value is None:
        return ""
    text = f"{money.quantize(value):,}"
    return f"{text} {currency}" if currency else text


def _plain(value: Decimal) -> str:
    """1.50 → 1.5, 2 → 2, 10 → 10 (no exponent)."""
    return f"{value.normalize():f}"


def _local_date(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


class _Document(FPDF):
    """A4 portrait with a running header (product, rep and month, DRAFT on a draft) and a
    page number in the footer; a draft also carries a faint diagonal DRAFT mark."""

    def __init__(self, rep: str, month_text: str, draft_mark: str | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.rep = rep
        self.month_text = month_text
        self.draft_mark = draft_mark
        self.page_label = _("Page %(page)s of %(pages)s")
        for style in FONT_FILES:
            self.add_font(FONT, style, str(font_path(style)))
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)

    def header(self) -> None:
        if self.draft_mark:
            self._watermark(self.draft_mark)
        top = 9.0
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.set_text_color(*GREY)
        self.set_font(FONT, "B", 9)
        self.set_xy(self.l_margin, top)
        self.cell(self.epw, 5, PRODUCT, align="L")
        self.set_font(FONT, "", 9)
        self.set_xy(self.l_margin, top)
        running = f"{self._fit(self.rep, self.epw * 0.3)} · {self.month_text}"
        self.cell(self.epw, 5, running, align="R")
        if self.draft_mark:
            self.set_text_color(*RED)
            self.set_font(FONT, "B", 10)
            self.set_xy(self.l_margin, top)
            self.cell(self.epw, 5, self.draft_mark, align="C")
        self.line(self.l_margin, top + 6, self.w - self.r_margin, top + 6)
        self.set_text_color(*BLACK)
        self.set_xy(self.l_margin, TOP)

    def _fit(self, text: str, width: float) -> str:
        """The text, shortened with an ellipsis to fit `width` in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _watermark(self, mark: str) -> None:
        size = 96.0
        self.set_font(FONT, "B", size)
        # Fit the mark (long in some languages) along the page's diagonal.
        width = self.get_string_width(mark)
        if width > 240:
            size = size * 240 / width
            self.set_font(FONT, "B", size)
            width = self.get_string_width(mark)
        cap = size * 25.4 / 72 * 0.33
        with (
            self.local_context(fill_opacity=0.10, text_color=RED),
            self.rotation(45, x=self.w / 2, y=self.h / 2),
        ):
            self.text(self.w / 2 - width / 2, self.h / 2 + cap, mark)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        pages = self.str_alias_nb_pages or ""
        self.cell(0, 5, self.page_label % {"page": self.page_no(), "pages": pages}, align="C")


def render(statement: Statement) -> bytes:
    """The statement as PDF bytes, in the active language."""
    month_text = f"{statement.month:%Y-%m}"
    rep = statement.rep.display_name
    draft = not statement.is_frozen
    pdf = _Document(rep, month_text, _("DRAFT") if draft else None)
    title = _("Commission statement: %(name)s, %(m)s") % {"name": rep, "m": month_text}
    pdf.set_title(title)
    pdf.set_author(PRODUCT)
    pdf.set_creator(PRODUCT)
    pdf.set_lang(translation.get_language() or "en")
    pdf.add_page()

    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    shown = statements.statement_lines(statement)
    _facts(pdf, statement, month_text, stale=shown.stale)
    pdf.ln(3)
    _totals(pdf, statement)
    pdf.ln(5)
    _lines(pdf, statement, shown.lines)
    return bytes(pdf.output())


def _facts(pdf: _Document, statement: Statement, month_text: str, *, stale: bool) -> None:
    """Rep, month, status, plan and terms as label-value rows."""
    terms = (
        calc.Terms.from_dict(statement.terms) if statement.terms else plans.terms_of(statement.plan)
    )
    currency = statement.currency
    month_name = formats.date_format(statement.month, "F Y")
    status = str(STATUS_LABELS.get(statement.status, statement.status))
    if statement.is_frozen:
        who = statement.approved_by.display_name if statement.approved_by else "—"
        when = _local_date(statement.approved_at)
        status += "\n" + _(
            "Approved by %(who)s on %(when)s. Later changes appear below as adjustment lines."
        ) % {"who": who, "when": when}
    elif stale:
        status += "\n" + _(
            "The deals changed since this draft was computed; recompute it before approving."
        )
    parts = [
        f"{_('Base pay')} {amount(terms.base_pay, currency)}",
        f"{_('target')} {amount(terms.target, currency)}",
        f"{_('rate')} {salesops_format.pct(terms.rate)}",
        str(PLAN_KIND_LABELS.get(terms.kind, terms.kind)),
    ]
    parts += [
        _("%(r)s above %(a)s× target") % {"r": salesops_format.pct(t.rate), "a": _plain(t.above)}
        for t in terms.tiers
    ]
    plain = FontFace()
    status_style = plain if statement.is_frozen else FontFace(emphasis="BOLD", color=RED)
    facts: list[tuple[str, str, FontFace]] = [
        (_("Rep"), statement.rep.display_name, plain),
        (_("Month"), f"{month_name} ({month_text})", plain),
        (_("Status"), status, status_style),
        (_("Plan"), statement.plan.name, plain),
        (_("Terms"), " · ".join(parts), plain),
    ]
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(30, 150),
        width=180,
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.NONE,
        text_align=("LEFT", "LEFT"),
        line_height=5,
        padding=(0.6, 1, 0.6, 0),
    ) as table:
        for label, value, style in facts:
            row = table.row()
            row.cell(label, style=FontFace(color=GREY))
            row.cell(value, style=style)


def _totals(pdf: _Document, statement: Statement) -> None:
    currency = statement.currency
    commission_label = _("Commission (as approved)") if statement.is_frozen else _("Commission")
    rows = [
        (_("Revenue counted"), statement.revenue),
        (commission_label, statement.commission),
        (_("Adjustments"), statement.adjustments),
        (_("Base pay"), statement.base_pay),
    ]
    pdf.set_font(FONT, "", 10)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(60, 45),
        width=105,
        align="LEFT",
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=("LEFT", "RIGHT"),
        line_height=5.5,
        padding=(0.8, 1.5),
    ) as table:
        for label, value in rows:
            table.row((label, amount(value, currency)))
        bold = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
        table.row((_("Total pay"), amount(statement.total_pay, currency)), style=bold)


def _lines(pdf: _Document, statement: Statement, lines: list[StatementLine]) -> None:
    """Every counted deal and adjustment line; the heading row repeats on every page."""
    currency = statement.currency
    pdf.set_font(FONT, "", 8)
    pdf.set_draw_color(*RULE)
    heading = (
        _("Line"),
        _("Deal"),
        _("Won at"),
        _("Amount"),
        f"{_('Revenue')} ({currency})",
        f"{_('Commission')} ({currency})",
        _("Note"),
    )
    shade = FontFace(fill_color=SHADE)
    with pdf.table(
        col_widths=COLUMN_WIDTHS,
        width=sum(COLUMN_WIDTHS),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        text_align=COLUMN_ALIGN,
        line_height=4,
        padding=(0.8, 1),
    ) as table:
        table.row(heading)
        for cells, adjustment in _line_cells(lines):
            table.row(cells, style=shade if adjustment else None)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    if not lines:
        pdf.ln(1)
        pdf.cell(0, 5, _("No deals won this month."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif any(line.is_adjustment for line in lines):
        pdf.ln(1)
        pdf.cell(
            0,
            5,
            _("Shaded lines are adjustments made after approval."),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_text_color(*BLACK)


def _line_cells(lines: list[StatementLine]) -> list[tuple[tuple[str, ...], bool]]:
    """The same lines as `present.statement_rows`, as the table's text."""
    found: list[tuple[tuple[str, ...], bool]] = []
    for line in lines:
        deal = line.deal_title
        if line.deal_id:
            deal = f"{deal} (#{line.deal_id})" if deal else f"#{line.deal_id}"
        cells = (
            str(KIND_LABELS.get(line.kind, line.kind)),
            deal,
            _local_date(line.closed_at),
            amount(line.amount, line.amount_currency),
            amount(line.revenue),
            amount(line.commission) if line.commission else "",
            line.note,
        )
        found.append((cells, line.is_adjustment))
    return found


# --- the statement's exports -----------------------------------------------------------------


def export_filename(statement: Statement) -> str:
    return f"statement-{statement.rep.username}-{statement.month:%Y-%m}"


def export_response(statement: Statement, fmt: str) -> HttpResponseBase:
    """The statement as a download: CSV and XLSX rows (formula-safe) or this PDF."""
    name = export_filename(statement)
    if fmt == "pdf":
        return HttpResponse(
            render(statement),
            content_type=PDF_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, f"{name}.pdf") or ""},
        )
    rows: list[list[Any]] = present.statement_rows(statement)
    return exports.export_response(fmt, name, present.STATEMENT_HEADER, rows)
