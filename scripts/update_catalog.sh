#!/bin/sh
# Rebuild locale/zh_Hans/LC_MESSAGES/django.{po,mo}: the project's own Chinese strings, each
# "translated" to itself. Why: our source strings are already Simplified Chinese, so they are in
# no catalog, and every {% translate %} of one walked Django's whole chain of app catalogs and
# fallbacks before giving up (about 30 µs each, 50-80 per public page). Found in our own catalog,
# they return at the first lookup. English strings are left out so that Django's and Wagtail's own
# translations of them still apply, except those in locale/zh_Hans/upstream.po, which translates
# the msgids their catalogs lack. Needs GNU gettext (msgen, msggrep, msgfmt). Run after adding
# strings; a string missing from the catalog still shows correctly, only more slowly.
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DJANGO_SETTINGS_MODULE=portal.settings.test "$PY" manage.py makemessages -l zh_Hans --no-obsolete \
  --no-location --ignore='.venv/*' --ignore='node_modules/*' --ignore='.cache/*' --ignore='var/*' \
  --ignore='tests/*' --ignore='bench/*' >/dev/null
dir=locale/zh_Hans/LC_MESSAGES
tmp=$(mktemp -d)
msgen "$dir/django.po" -o "$tmp/identity.po"
LC_ALL=C.UTF-8 msggrep --msgid -E -e '[一-龥]' "$tmp/identity.po" -o "$tmp/chinese.po"
# Chinese has one plural form; the header is complete, not fuzzy.
sed -e '/^msgstr\[1\]/d' -e '/^#, fuzzy$/d' \
  -e 's/^# SOME DESCRIPTIVE TITLE\./# The portal'"'"'s own Chinese strings, each its own translation (scripts\/update_catalog.sh)./' \
  -e '/^# Copyright (C) YEAR/d' -e '/^# This file is distributed/d' -e '/^# FIRST AUTHOR/d' \
  -e 's/^"Project-Id-Version: PACKAGE VERSION/"Project-Id-Version: portal/' -e 's/^"Language: .*\\n"$/"Language: zh_Hans\\n"/' \
  -e '/^"PO-Revision-Date: /d' -e '/^"Last-Translator: /d' -e '/^"Language-Team: /d' \
  "$tmp/chinese.po" > "$dir/django.po"
# Wagtail's and Django's msgids that their own zh_Hans catalogs lack (locale/zh_Hans/upstream.po,
# hand-maintained): merged in so that the admin shows no English (LOCALE_PATHS win over the apps' catalogs).
msgcat --use-first --no-location "$dir/django.po" locale/zh_Hans/upstream.po -o "$tmp/merged.po"
mv "$tmp/merged.po" "$dir/django.po"
msgfmt --check-format --check-domain -o "$dir/django.mo" "$dir/django.po"
rm -rf "$tmp"
echo "$(grep -c '^msgid ' "$dir/django.po") entries in $dir/django.po"
