import csv
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from lejek.dataio import exports

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "Łódź"]


def test_formula_text_is_neutralised_but_numbers_stay_numbers():
    assert [exports.safe_cell(v) for v in HOSTILE] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "Łódź",
    ]
    assert exports.safe_cell(-5) == -5
    assert exports.safe_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert exports.safe_cell(None) == ""


def test_csv_export_round_trip():
    response = exports.csv_response(
        "deals", ["title", "amount"], [["=cmd", Decimal("10.50")], ["Łódź", None]]
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [["title", "amount"], ["'=cmd", "10.50"], ["Łódź", ""]]
    assert response["Content-Disposition"] == 'attachment; filename="deals.csv"'


def test_xlsx_export_round_trip():
    when = datetime.date(2026, 11, 23)
    data = exports.xlsx_bytes(["title", "amount", "day"], [["+evil", Decimal("1.25"), when]])
    sheet = load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["title", "amount", "day"]
    assert values[1][0] == "'+evil"
    assert float(values[1][1]) == 1.25
    assert values[1][2].date() == when
