"""Checks that Swedish is complete: every message in the code is in the catalogue, translated, compiled.

Run as ``python -m hemsjukvard.i18n_check`` (the test command does). It regenerates the catalogue with
``makemessages`` into a scratch copy of the tree's locale folder and compares; nothing is left changed.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PO = BASE_DIR / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
IGNORE = [".venv/*", "tests/*", "bench/*", "staticfiles/*", "node_modules/*", "media/*"]

Entry = tuple[str, str]  # (msgctxt, msgid)


def parse_po(text: str) -> dict[Entry, tuple[list[str], bool]]:
    """Entries of a .po file: (context, msgid) -> (translations, fuzzy). Obsolete entries are skipped."""
    entries: dict[Entry, tuple[list[str], bool]] = {}
    for chunk in text.split("\n\n"):
        fields: dict[str, str] = {}
        fuzzy = False
        field = ""
        for raw in chunk.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                fields = {}
                break
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif not line or line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[field] += ast.literal_eval(line)
            else:
                field, _, rest = line.partition(" ")
                fields[field] = ast.literal_eval(rest)
        if fields.get("msgid"):
            translations = [value for key, value in fields.items() if key.startswith("msgstr")]
            entries[(fields.get("msgctxt", ""), fields["msgid"])] = (translations, fuzzy)
    return entries


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
    problems: list[str] = []
    committed = parse_po(PO.read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(
            BASE_DIR,
            tree,
            ignore=shutil.ignore_patterns(
                ".venv", ".git", "staticfiles", "media", "*.sqlite3", "__pycache__"
            ),
            symlinks=True,
        )
        (tree / ".venv").symlink_to(BASE_DIR / ".venv")
        command = [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "sv",
            "--no-location",
            "-v",
            "0",
        ]
        for pattern in IGNORE:
            command += ["--ignore", pattern]
        subprocess.run(command, cwd=tree, check=True)  # noqa: S603 - fixed command
        fresh = parse_po((tree / PO.relative_to(BASE_DIR)).read_text(encoding="utf-8"))
        compiled = Path(scratch) / "django.mo"
        subprocess.run(["msgfmt", "-o", str(compiled), str(PO)], check=True)  # noqa: S603, S607
        if not MO.exists() or MO.read_bytes() != compiled.read_bytes():
            problems.append(f"{MO.relative_to(BASE_DIR)} is not compiled from the .po: run compilemessages")

    for key in sorted(fresh.keys() - committed.keys()):
        problems.append(f"not in the Swedish catalogue: {key[1]!r}")
    for key in sorted(committed.keys() & fresh.keys()):
        translations, fuzzy = committed[key]
        if fuzzy or not all(translations):
            problems.append(f"not translated to Swedish: {key[1]!r}")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print(f"Swedish catalogue complete: {len(committed)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
