"""python -m bot.locales update | check | init <code>"""

from __future__ import annotations

import sys

from bot import locales


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        updated = locales.update()
        print(f"Template and {len(updated)} catalogues updated: {', '.join(updated)}")
        return 0
    if command == "init" and len(argv) == 2:
        print(f"Created {locales.init(argv[1])}; translate it, then add the language to LANGUAGES")
        return 0
    if command == "check":
        source = locales.template()
        found = [
            p for code in locales.translated_languages() for p in locales.problems(code, source)
        ]
        print("\n".join(found) if found else "Every catalogue is complete.")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
