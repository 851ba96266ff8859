"""Pure sales-operations arithmetic: commission plans, quadrants, the reverse funnel.

Plain data in, plain data out, no database: each function is unit-tested on its own.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
CLIFF, LINEAR = "cliff", "linear"


def cents(value: Decimal | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- commission plans --------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    """An accelerator: `rate` applies to revenue above `above` × target."""

    above: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Terms:
    """A plan's terms as plain values (also what a statement freezes)."""

    base_pay: Decimal
    rate: Decimal
    target: Decimal
    kind: str = CLIFF
    tiers: tuple[Tier, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "base_pay": str(self.base_pay),
            "rate": str(self.rate),
            "target": str(self.target),
            "kind": self.kind,
            "tiers": [{"above": str(t.above), "rate": str(t.rate)} for t in self.tiers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> "Terms":
        tiers = data.get("tiers") or []
        assert isinstance(tiers, list)
        return cls(
            base_pay=Decimal(str(data["base_pay"])),
            rate=Decimal(str(data["rate"])),
            target=Decimal(str(data["target"])),
            kind=str(data.get("kind") or CLIFF),
            tiers=tuple(
                Tier(Decimal(str(t["above"])), Decimal(str(t["rate"])))
                for t in sorted(tiers, key=lambda t: Decimal(str(t["above"])))
            ),
        )


def parse_tiers(raw: Sequence[dict[str, object]]) -> tuple[Tier, ...]:
    """Tiers from input, checked: thresholds ≥ 1 (at or above target), distinct, rates 0–1."""
    tiers: list[Tier] = []
    for index, item in enumerate(raw):
        try:
            above = Decimal(str(item["above"]))
            rate = Decimal(str(item["rate"]))
        except (KeyError, ArithmeticError, TypeError, ValueError):
            raise ValueError(f"Tier {index + 1} needs 'above' and 'rate' as numbers.") from None
        if not above.is_finite() or not rate.is_finite():
            raise ValueError(f"Tier {index + 1} needs finite numbers.")
        if above < 1 or above > 100:
            raise ValueError(f"Tier {index + 1}: 'above' is a multiple of the target, 1 to 100.")
        if rate < 0 or rate > 1:
            raise ValueError(f"Tier {index + 1}: 'rate' must be between 0 and 1.")
        tiers.append(Tier(above, rate))
    thresholds = [t.above for t in tiers]
    if len(set(thresholds)) != len(thresholds):
        raise ValueError("Two tiers start at the same multiple of the target.")
    return tuple(sorted(tiers, key=lambda t: t.above))


def commission(terms: Terms, revenue: Decimal) -> Decimal:
    """Commission on one month's won revenue, to the cent.

    Cliff: nothing unless revenue reaches the target; then `rate` on all of it (seed 002:
    10 % once the 10,000 target is met). Linear: `rate` from the first unit. Either way a
    tier's rate replaces the lower rate on the revenue above `above` × target (marginal
    accelerators), so exactly at a threshold the accelerator adds nothing yet.
    """
    if revenue <= 0:
        return Decimal("0.00")
    if terms.kind == CLIFF and revenue < terms.target:
        return Decimal("0.00")
    bands: list[tuple[Decimal, Decimal]] = [(Decimal(0), terms.rate)]
    bands += [(t.above * terms.target, t.rate) for t in terms.tiers]
    total = Decimal(0)
    for index, (start, rate) in enumerate(bands):
        end = bands[index + 1][0] if index + 1 < len(bands) else None
        if revenue <= start:
            break
        top = revenue if end is None else min(revenue, end)
        total += (top - start) * rate
    return cents(total)


# --- quadrants ------------------------------------------------------------------------------

RISING, FALLING, IMPROVING, DECLINING = (
    "rising_star",
    "falling_star",
    "improving_laggard",
    "declining_laggard",
)
QUADRANT_LABELS = {
    RISING: "Rising stars",
    FALLING: "Falling stars",
    IMPROVING: "Improving laggards",
    DECLINING: "Declining laggards",
}


def quadrant(
    attainment: Fraction | None, median: Fraction | None, change: Fraction | None
) -> str | None:
    """Top when attainment is at or above the team median; improving when attainment did not
    fall against the previous period (change ≥ 0). Without a quota this period, or a previous
    one to compare with, a rep is not placed."""
    if attainment is None or median is None or change is None:
        return None
    top = attainment >= median
    improving = change >= 0
    if top:
        return RISING if improving else FALLING
    return IMPROVING if improving else DECLINING


def median(values: Sequence[Fraction]) -> Fraction | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


# --- goal planner (reverse funnel) -----------------------------------------------------------

FUNNEL = ("leads", "conversations", "meetings", "proposals", "deals")


@dataclass(frozen=True)
class Rates:
    """Conversion between successive funnel steps (each 0 < rate ≤ 1)."""

    lead_to_conversation: Fraction
    conversation_to_meeting: Fraction
    meeting_to_proposal: Fraction
    proposal_to_won: Fraction

    def as_tuple(self) -> tuple[Fraction, ...]:
        return (
            self.lead_to_conversation,
            self.conversation_to_meeting,
            self.meeting_to_proposal,
            self.proposal_to_won,
        )


@dataclass(frozen=True)
class Plan:
    """Counts needed in the whole period, per week, and per rep per week (exact)."""

    total: dict[str, Fraction]
    per_week: dict[str, Fraction]
    per_rep_week: dict[str, Fraction]
    start_by_days: int | None

    def rounded(self, which: str = "per_week") -> dict[str, int]:
        """Rounded up: half a meeting is still a meeting to book."""
        return {k: math.ceil(v) for k, v in getattr(self, which).items()}


def reverse_funnel(
    *,
    target: Fraction,
    deal_size: Fraction,
    rates: Rates,
    weeks: int,
    reps: int = 1,
    cycle_days: Fraction | None = None,
) -> Plan:
    """Deals = target ÷ deal size; each step above = the one below ÷ its conversion rate."""
    if deal_size <= 0:
        raise ValueError("The average deal size must be above zero.")
    if weeks < 1 or reps < 1:
        raise ValueError("Weeks and reps must be at least 1.")
    if any(not 0 < r <= 1 for r in rates.as_tuple()):
        raise ValueError("Every conversion rate must be above 0 and at most 1.")
    needed = {"deals": Fraction(target) / Fraction(deal_size)}
    below = needed["deals"]
    for name, rate in zip(reversed(FUNNEL[:-1]), reversed(rates.as_tuple()), strict=True):
        below = below / rate
        needed[name] = below
    total = {name: needed[name] for name in FUNNEL}
    per_week = {k: v / weeks for k, v in total.items()}
    per_rep = {k: v / reps for k, v in per_week.items()}
    start_by = None if cycle_days is None else math.ceil(cycle_days)
    return Plan(total=total, per_week=per_week, per_rep_week=per_rep, start_by_days=start_by)


def scale_activity(
    *, baseline_revenue: Fraction, baseline: dict[str, Fraction], target: Fraction
) -> dict[str, Fraction]:
    """Seed 000: at the same rates, activity grows in proportion to the revenue wanted."""
    if baseline_revenue <= 0:
        raise ValueError("The baseline revenue must be above zero.")
    factor = Fraction(target) / Fraction(baseline_revenue)
    return {k: Fraction(v) * factor for k, v in baseline.items()}
