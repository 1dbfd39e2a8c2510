"""Fill the empty translations of a .po catalogue from .po.part files."""

from __future__ import annotations

import re
import sys

QUOTED = r'((?:".*"\n)+)'
SINGLE = re.compile(rf"^msgid {QUOTED}msgstr {QUOTED}", re.M)
PLURAL = re.compile(
    rf"^msgid {QUOTED}msgid_plural {QUOTED}((?:msgstr\[\d+\] {QUOTED[1:-1]}\n?)+)",
    re.M,
)


def _join(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def parts(paths: list[str]) -> dict[str, str]:
    """msgid -> translation (of a plural entry: its one Vietnamese form)."""
    found: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read() + "\n"
        for msgid, _plural, forms, *_ in PLURAL.findall(text):
            first = re.search(r'msgstr\[0\] ((?:".*"\n?)+)', forms)
            found[_join(msgid)] = _join(first.group(1)) if first else ""
        without_plurals = PLURAL.sub("", text)
        found.update((_join(a), _join(b)) for a, b in SINGLE.findall(without_plurals))
    return {key: value for key, value in found.items() if value}


def main(catalogue: str, part_paths: list[str]) -> None:
    known = parts(part_paths)
    with open(catalogue, encoding="utf-8") as handle:
        text = handle.read()
    # The header is generated "fuzzy"; msgfmt would drop it, and with it the
    # plural rule Vietnamese needs (one form).
    text = text.replace('#, fuzzy\nmsgid ""\nmsgstr ""\n', 'msgid ""\nmsgstr ""\n', 1)
    text = re.sub(r'"Language: \\n"', r'"Language: vi\\n"', text)
    text = re.sub(
        r'"Plural-Forms: [^"]*"', r'"Plural-Forms: nplurals=1; plural=0;\\n"', text
    )

    def fill_plural(match: re.Match) -> str:
        msgid = _join(match.group(1))
        value = known.get(msgid, "")
        return (
            f'msgid {match.group(1)}msgid_plural {match.group(2)}msgstr[0] "{value}"\n'
        )

    def fill(match: re.Match) -> str:
        msgid, msgstr = _join(match.group(1)), _join(match.group(2))
        if msgid and not msgstr and msgid in known:
            return f'msgid {match.group(1)}msgstr "{known[msgid]}"\n'
        return match.group(0)

    text = PLURAL.sub(fill_plural, text)
    text = SINGLE.sub(fill, text)
    # makemessages takes "95% interval" for a format string; msgfmt then rejects
    # the translation. Only real placeholders make a python-format entry.
    text = re.sub(
        r'^#, python-format\n(?=msgid "(?:[^"%]|%(?![(sd]))*"\n)', "", text, flags=re.M
    )
    with open(catalogue, "w", encoding="utf-8") as handle:
        handle.write(text)
    missing = [
        _join(m.group(1))
        for m in re.finditer(
            rf'^msgid {QUOTED}(?:msgid_plural .*\n)?msgstr(?:\[0\])? ""\n(?!")',
            text,
            re.M,
        )
        if _join(m.group(1))
    ]
    print(f"{len(known)} translations known; {len(missing)} messages untranslated")
    for msgid in missing:
        print(f"  untranslated: {msgid}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
