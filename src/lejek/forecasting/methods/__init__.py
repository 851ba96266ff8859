"""Forecast methods as pure functions: plain data in, exact Decimal money out.

Nothing here touches the database; `lejek.forecasting.gather` turns records (as
they are now, or as they were on a past day) into the rows these functions take.
"""
