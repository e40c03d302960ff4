"""The Russian catalogue covers every string of the code and templates (the UI's default language is ru).

Three checks, each naming the offending msgids so that the fix is obvious:

* ``locale/ru/LC_MESSAGES/django.po`` has no empty and no fuzzy entry, every plural entry has all its forms,
  and the placeholders of each translation are those of its msgid;
* the committed ``django.mo`` says what the ``.po`` says (``compilemessages`` was run after the last edit);
* the ``.po`` is in sync with the code: ``makemessages`` run on a temporary copy of the sources (the real
  ``locale/`` is not touched) finds no msgid that the ``.po`` lacks, i.e. no template or gettext string
  shows up in English on a Russian page.

To fix a failure: ``python manage.py makemessages -l ru --ignore=.venv --ignore=var --no-obsolete``, translate
the listed entries (remove ``#, fuzzy`` once checked), then ``python manage.py compilemessages --ignore=.venv``.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
FIX = ("Run `python manage.py makemessages -l ru --ignore=.venv --ignore=var --no-obsolete`, translate these "
       "in locale/ru/LC_MESSAGES/django.po, then `python manage.py compilemessages --ignore=.venv`.")

# What the project's `makemessages` run reads (the same --ignore as the documented command); only these files
# are copied for the sync check.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
SKIP_DIRS = {".venv", "var", ".git", "node_modules", "static", "locale", "__pycache__"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and e.msgid]


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r}" + (f"  ({where})" if where else "")


def _report(title: str, entries: list[polib.POEntry]) -> str:
    return f"{title} ({len(entries)}):\n  " + "\n  ".join(_label(e) for e in entries) + f"\n{FIX}"


def _untranslated(po: polib.POFile) -> list[polib.POEntry]:
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", po.metadata["Plural-Forms"]).group(1))
    missing = []
    for entry in _entries(po):
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            if not all(form.strip() for form in forms):
                missing.append(entry)
        elif not entry.msgstr.strip():
            missing.append(entry)
    return missing


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def test_every_russian_entry_is_translated(po):
    missing = _untranslated(po)
    assert not missing, _report("Russian entries without a translation", missing)


def test_no_fuzzy_russian_entry(po):
    fuzzy = [e for e in _entries(po) if "fuzzy" in e.flags]
    assert not fuzzy, _report("Fuzzy Russian entries (check the translation, then drop `#, fuzzy`)", fuzzy)


def test_translations_keep_the_placeholders(po):
    """A %(name)s missing from a translation loses data; an extra one raises KeyError at runtime."""
    wrong = []
    for entry in _entries(po):
        if entry.msgid_plural:
            # The singular form may spell out "one" instead of the number; every placeholder of the plural msgid
            # must still be known, and the other forms must keep them all.
            expected = set(PLACEHOLDER.findall(entry.msgid_plural)) | set(PLACEHOLDER.findall(entry.msgid))
            forms = [v for k, v in sorted(entry.msgstr_plural.items()) if k > 0]
            if any(set(PLACEHOLDER.findall(form)) != expected for form in forms if form):
                wrong.append(entry)
        elif entry.msgstr and ("python-format" in entry.flags or "python-brace-format" in entry.flags):
            if set(PLACEHOLDER.findall(entry.msgstr)) != set(PLACEHOLDER.findall(entry.msgid)):
                wrong.append(entry)
    assert not wrong, _report("Translations whose placeholders differ from the msgid", wrong)


def test_compiled_catalogue_is_fresh(po):
    """The committed .mo is what Django reads: it must hold every translation of the .po, unchanged."""
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(MO_PATH))}
    stale = []
    for entry in _entries(po):
        compiled = mo.get((entry.msgctxt, entry.msgid))
        if compiled is None:
            stale.append(entry)
        elif entry.msgid_plural:
            if {int(k): v for k, v in compiled.msgstr_plural.items()} != {int(k): v for k, v in
                                                                            entry.msgstr_plural.items()}:
                stale.append(entry)
        elif compiled.msgstr != entry.msgstr:
            stale.append(entry)
    assert not stale, _report("Entries of django.po missing or different in django.mo "
                              "(run compilemessages)", stale)


def _copy_sources(target: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        rel = Path(dirpath).relative_to(ROOT)
        for name in filenames:
            if Path(name).suffix in SOURCE_SUFFIXES and not name.startswith("."):
                (target / rel).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(dirpath) / name, target / rel / name)


def test_po_is_in_sync_with_the_code(po, tmp_path, monkeypatch):
    """Every msgid the code and templates use is in the .po with a Russian translation.

    makemessages runs on a copy of the sources with a copy of locale/, so the real catalogue stays as it is."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        pytest.fail("GNU gettext (xgettext, msgmerge) is needed to check the Russian catalogue: "
                    "apt-get install gettext (the CI runner installs it).")
    _copy_sources(tmp_path)
    locale_dir = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", locale_dir)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[str(locale_dir)]):
        call_command("makemessages", locale=["ru"], domain="django", ignore_patterns=[".venv", "var"],
                     no_obsolete=True, verbosity=0)
    fresh = polib.pofile(str(locale_dir / "ru" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in _entries(po)}
    new = [e for e in _entries(fresh) if (e.msgctxt, e.msgid) not in known]
    assert not new, _report("Strings in the code/templates that django.po does not have yet", new)
    # An entry whose msgid_plural changed comes back fuzzy or empty from msgmerge.
    changed = [e for e in _entries(fresh) if "fuzzy" in e.flags] + _untranslated(fresh)
    assert not changed, _report("Strings in the code/templates whose Russian translation is missing or "
                                "outdated", changed)
