"""Pure metric arithmetic, no database."""

from decimal import Decimal
from fractions import Fraction as F

from lejek.analytics import calc, present


def test_zero_denominator_is_not_available():
    assert calc.ratio(3, 0) is None
    assert calc.ratio(0, 4) == 0
    assert calc.mean(10, 0) is None
    assert calc.days(None) is None
    assert calc.change(5, 0) is None
    assert calc.change(None, 3) is None


def test_ratios_stay_exact():
    assert calc.ratio(2, 3) == F(2, 3)
    assert calc.change(3, 2) == F(1, 2)
    assert calc.change(1, 2) == F(-1, 2)
    assert calc.days(86_400 * 3 + 43_200) == F(7, 2)


def test_median():
    assert calc.median([]) is None
    assert calc.median([5]) == 5
    assert calc.median([9, 1, 5]) == 5
    assert calc.median([1, 2, 3, 10]) == F(5, 2)
    assert calc.median_of_sorted([2, 7]) == F(9, 2)


def test_funnel_counts_skipped_stages_as_reached():
    # Furthest stages: two deals got to "c", one stopped at "a", one at "d" (won).
    steps = calc.funnel(["a", "b", "c", "d"], {"a": 1, "c": 2, "d": 1}, {"d": 1})
    assert [s.reached for s in steps] == [4, 3, 3, 1]
    assert [s.conversion for s in steps] == [F(3, 4), 1, F(1, 3), None]
    assert [s.drop_off for s in steps] == [1, 0, 2, None]
    assert [s.close_rate for s in steps] == [F(1, 4), F(1, 3), F(1, 3), 1]
    empty = calc.funnel(["a", "b"], {}, {})
    assert [(s.reached, s.conversion, s.close_rate) for s in empty] == [
        (0, None, None),
        (0, None, None),
    ]


def test_sales_velocity():
    # 10 open × 5,000 × 25 % ÷ 50 days = 250 a day.
    assert calc.sales_velocity(10, F(5000), F(1, 4), F(50)) == 250
    assert calc.sales_velocity(10, None, F(1, 4), F(50)) is None
    assert calc.sales_velocity(10, F(5000), F(1, 4), F(0)) is None
    assert calc.sales_velocity(0, F(5000), F(1, 4), F(50)) == 0


def test_customer_lifetime_value():
    customers = calc.Customers(revenue=F(3500), customers=2, lifetime_days=790)
    assert customers.mean_lifetime_years == F(395, 365)
    assert customers.revenue_per_customer_year == F(3500 * 365, 790)
    assert customers.clv == 1750
    assert calc.Customers(F(0), 0, 0).clv is None
    assert calc.lifetime_days(100, 200) == 365
    assert calc.lifetime_days(0, 400) == 400


def test_rounding_only_at_the_edge():
    assert calc.decimal_places(F(2, 3)) == Decimal("0.666667")
    assert calc.decimal_places(F(1, 8), 2) == Decimal("0.12")  # half-even
    assert calc.money(F(1, 200)) == Decimal("0.01")  # half-up
    assert calc.money(F(2000, 3)) == Decimal("666.67")
    assert calc.money(None) is None


def test_presentation_of_each_kind():
    assert present.value_text(present.COUNT, 3) == 3
    assert present.value_text(present.RATIO, F(1, 3)) == "0.333333"
    assert present.value_text(present.MONEY, F(1001, 2)) == "500.50"
    assert present.value_text(present.HOURS, 5400) == "1.500000"
    assert present.value_text(present.RATIO, None) is None
    assert present.shown(present.RATIO, F(1, 3), "USD") == "33.3 %"
    assert present.shown(present.MONEY, F(1234567, 2), "EUR") == "617,283.50 EUR"
    assert present.shown(present.COUNT, None, "USD") == "—"
