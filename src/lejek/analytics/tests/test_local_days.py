"""Stored moments (UTC) fall on the site's calendar day, in zones with whole-hour offsets
and in those without (India +5:30, Nepal +5:45), where a cache per UTC hour would put the
last half hour before local midnight on the wrong day."""

import datetime

from django.test import override_settings

from lejek.analytics.loaders import TextDays, day_key_length, local_date
from lejek.forecasting.gather import _Values

UTC = datetime.UTC
MARCH_5, MARCH_6 = datetime.date(2025, 3, 5), datetime.date(2025, 3, 6)


def at(hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2025, 3, 5, hour, minute, 30, tzinfo=UTC)


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_a_half_hour_zone_is_read_to_the_minute() -> None:
    assert day_key_length() == 16
    # 18:29 UTC is 23:59 in India, 18:30 is 00:00 the next day.
    assert local_date(at(18, 29)) == MARCH_5
    assert local_date(at(18, 30)) == MARCH_6
    days, values = TextDays(), _Values()
    for read in (days, values.day):
        assert read("2025-03-05 18:29:59.999999") == MARCH_5
        assert read("2025-03-05 18:30:00") == MARCH_6
        assert read("2025-03-05 18:45:00+00") == MARCH_6  # as PostgreSQL prints it


@override_settings(TIME_ZONE="Asia/Kathmandu")
def test_a_quarter_hour_zone() -> None:
    # Nepal is 5:45 ahead: 18:14 UTC is 23:59, 18:15 is midnight.
    assert local_date(at(18, 14)) == MARCH_5
    assert local_date(at(18, 15)) == MARCH_6
    assert TextDays()("2025-03-05 18:15:00") == MARCH_6


@override_settings(TIME_ZONE="Europe/Warsaw")
def test_a_whole_hour_zone_is_read_to_the_hour() -> None:
    assert day_key_length() == 13
    assert local_date(at(22, 59)) == MARCH_5
    assert local_date(at(23, 0)) == MARCH_6  # Warsaw is 1 hour ahead in March
    assert TextDays()("2025-03-05 23:00:00") == MARCH_6


def test_the_same_moment_in_another_site_zone_is_its_own_day() -> None:
    """Days are remembered per moment and zone: changing the site's zone never answers
    with the day an earlier zone gave."""
    moment = at(23, 30)
    with override_settings(TIME_ZONE="UTC"):
        assert local_date(moment) == MARCH_5
    with override_settings(TIME_ZONE="Europe/Warsaw"):
        assert local_date(moment) == MARCH_6
    with override_settings(TIME_ZONE="America/New_York"):
        assert local_date(moment) == MARCH_5
    with override_settings(TIME_ZONE="Europe/Warsaw"):
        assert local_date(moment) == MARCH_6


def test_a_moment_asked_again_is_not_worked_out_again(monkeypatch) -> None:
    from lejek.analytics import loaders
    from lejek.analytics.tests.helpers import recorded

    worked_out = recorded(monkeypatch, loaders, "_local_day")
    loaders._day_of.cache_clear()
    moments = [at(10, 5), at(10, 5), at(11, 0), at(10, 5), at(11, 0)]
    assert [local_date(m) for m in moments] == [MARCH_5] * 5
    assert len(worked_out) == 2
