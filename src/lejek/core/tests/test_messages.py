from lejek.core import messages


def test_every_committed_catalog_is_compiled():
    assert messages.stale() == [], "run `./lejek messages` and commit the .mo files"


def test_compile_writes_mo_that_django_can_read(tmp_path):
    po = tmp_path / "demo" / "locale" / "pl" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Board"\nmsgstr "Tablica"\n',
        encoding="utf-8",
    )
    assert messages.stale(tmp_path) == [po]
    assert messages.compile_all(tmp_path) == [po]
    assert messages.stale(tmp_path) == []
    import gettext

    with po.with_suffix(".mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Board") == "Tablica"
