"""Fill empty msgstr entries of a .po catalogue from .po.part files."""

from __future__ import annotations

import re
import sys

ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.M)


def _join(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def parts(paths: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read() + "\n"
        found.update((_join(a), _join(b)) for a, b in ENTRY.findall(text))
    return found


def main(catalogue: str, part_paths: list[str]) -> None:
    known = parts(part_paths)
    with open(catalogue, encoding="utf-8") as handle:
        text = handle.read()

    def fill(match: re.Match) -> str:
        msgid, msgstr = _join(match.group(1)), _join(match.group(2))
        if msgid and not msgstr and msgid in known:
            return f'msgid {match.group(1)}msgstr "{known[msgid]}"\n'
        return match.group(0)

    text = ENTRY.sub(fill, text)
    # makemessages takes "95% interval" for a format string; msgfmt then rejects
    # the translation. Only real placeholders make a python-format entry.
    text = re.sub(
        r'^#, python-format\n(?=msgid "(?:[^"%]|%(?![(sd]))*"\n)',
        "",
        text,
        flags=re.M,
    )
    # A fuzzy guess is worse than English: drop the fuzzy flags makemessages adds.
    text = re.sub(r"^#, fuzzy\n", "", text, flags=re.M)
    text = text.replace('"Language: \\n"', '"Language: vi\\n"').replace(
        '"Plural-Forms: \\n"', '"Plural-Forms: nplurals=1; plural=0;\\n"'
    )
    with open(catalogue, "w", encoding="utf-8") as handle:
        handle.write(text)
    missing = sum(1 for a, b in ENTRY.findall(text) if _join(a) and not _join(b))
    print(f"{len(known)} translations known; {missing} messages still untranslated")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
