"""Historical run-rate: last 90 days' monthly average + growth + new reps ramping up.

Month k of the horizon (k = 1 for the first) is forecast as
    average monthly revenue × (1 + monthly growth × k)
    + new reps × deals each closes in a month while ramping × average deal value.
Every input is editable; `lejek.forecasting.gather.run_rate_inputs` suggests them
from the won history.
"""

from dataclasses import dataclass
from decimal import Decimal

from lejek.forecasting.methods.common import ZERO, money


@dataclass(frozen=True)
class RunRateInputs:
    average_revenue: Decimal  # mean monthly won revenue over the last 90 days
    growth_rate: Decimal = ZERO  # monthly growth as a ratio: 0.05 is 5 %
    new_reps: int = 0
    ramp_deals: Decimal = ZERO  # deals one new rep closes in a month while ramping
    average_deal_value: Decimal = ZERO

    @property
    def growth(self) -> Decimal:
        return self.average_revenue * self.growth_rate

    @property
    def new_rep_revenue(self) -> Decimal:
        return self.new_reps * self.ramp_deals * self.average_deal_value


def run_rate(inputs: RunRateInputs, horizon: int) -> list[Decimal]:
    return [
        money(inputs.average_revenue + inputs.growth * month + inputs.new_rep_revenue)
        for month in range(1, horizon + 1)
    ]
