"""Print one of the README's Quick start commands, so CI runs exactly what the README says.

The README marks them with ``<!-- command:demo -->`` and ``<!-- command:test -->``
on the line before a fenced block holding one command.
"""

import re
import sys
from pathlib import Path

name = sys.argv[1]
text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
match = re.search(r"<!-- command:%s -->\s*```[a-z]*\n(.+?)\n```" % re.escape(name), text, re.S)
if not match or "\n" in match.group(1).strip():
    sys.exit(f"README.md has no single '{name}' command after <!-- command:{name} -->")
print(match.group(1).strip())
