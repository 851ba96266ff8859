"""Money: amounts are Decimal with two places and an ISO 4217 currency code."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Currencies a sales team is likely to quote in; extend as needed, the code is the key.
CURRENCIES = frozenset(
    {
        "USD",
        "EUR",
        "PLN",
        "GBP",
        "CHF",
        "CZK",
        "SEK",
        "NOK",
        "DKK",
        "HUF",
        "RON",
        "BGN",
        "UAH",
        "RUB",
        "KZT",
        "TRY",
        "JPY",
        "CNY",
        "INR",
        "AUD",
        "CAD",
        "NZD",
        "SGD",
        "HKD",
        "BRL",
        "MXN",
        "ZAR",
        "AED",
        "ILS",
    }
)


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def is_currency(code: str) -> bool:
    return code in CURRENCIES
