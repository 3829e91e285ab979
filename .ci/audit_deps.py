"""CI: audit the installed dependencies for known vulnerabilities with pip-audit.

Fails (exit 1) when any installed package has a known vulnerability, listing them with their
fix versions.  When the vulnerability service cannot be reached — pip-audit then skips every
package ("could not be audited") or stops with a connection error — it says so loudly and exits
0: an audit that could not run is reported as SKIPPED, never as passed.

Usage: .venv/bin/python .ci/audit_deps.py   (audits the environment of that interpreter)
"""

from __future__ import annotations

import json
import subprocess
import sys


def main() -> int:
    cmd = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"CI: SKIPPED the dependency audit — pip-audit could not run: {last}", file=sys.stderr)
        return 0
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    for d in vulnerable:
        for v in d["vulns"]:
            fixes = ", ".join(v.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {d['name']} {d.get('version', '')}: {v.get('id')} (fixed in: {fixes})")
    if vulnerable:
        print(f"CI: the dependency audit found {sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities "
              f"in {len(vulnerable)} packages", file=sys.stderr)
        return 1
    if not audited:
        print(f"CI: SKIPPED the dependency audit — the vulnerability service answered for none of the "
              f"{len(skipped)} packages (e.g. {skipped[0]['skip_reason'] if skipped else 'no packages'})",
              file=sys.stderr)
        return 0
    print(f"dependency audit: {len(audited)} packages audited, no known vulnerabilities"
          + (f"; {len(skipped)} not audited: {', '.join(d['name'] for d in skipped)}" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
