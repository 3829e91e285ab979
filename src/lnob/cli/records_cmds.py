"""Record commands: ``import``, ``export``, ``quality``, ``review``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from lnob.cli.common import err, out, workspace
from lnob.errors import UsageError
from lnob.i18n import _


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
    app.command("quality")(quality_cmd)
    app.command("review")(review_cmd)


class _progress:
    """A rich progress bar on stderr fed by ``progress(stage, done, total)``; quiet for small jobs."""

    def __init__(self, min_total: int = 2000) -> None:
        self.min_total = min_total
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __enter__(self):
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            if total < self.min_total:
                return
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                 TimeElapsedColumn(), console=err, transient=False)
            self._bar.__enter__()
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._bar.add_task(stage, total=max(total, 1))
        self._bar.update(task, completed=done, total=max(total, 1))

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def _problems(problems, limit: int) -> None:
    if not problems:
        return
    from collections import Counter

    counts = Counter(p.code for p in problems)
    err.print(_("%(n)d problems: %(codes)s") % {"n": len(problems),
                                                "codes": ", ".join(f"{c} ×{n}" for c, n in counts.most_common())},
              markup=False)
    for p in problems[:limit]:
        line = f"{p.level} [{p.code}]: {p.message}"
        if p.where:
            line += f" (at {p.where})"
        if p.hint:
            line += f" — hint: {p.hint}"
        err.print(" ".join(line.split()), markup=False)
    if len(problems) > limit:
        err.print(_("… and %(n)d more (use --show-problems N)") % {"n": len(problems) - limit}, markup=False)


def import_cmd(
    ctx: typer.Context,
    project: str = typer.Argument(..., help="Project short name."),
    file: Path = typer.Argument(..., help="Kobo/ODK export: .csv, .xlsx (one sheet per repeat) or ODK Central .zip."),
    form: Optional[str] = typer.Option(None, "--form", metavar="FORM_ID",
                                       help="The form the data were collected with (default: guessed)."),
    show_problems: int = typer.Option(20, "--show-problems", metavar="N", help="Problems to list (default 20)."),
) -> None:
    """Import records from a Kobo or ODK export.  Importing the same file again adds nothing.

    Example: lnob import msna-2024 kobo_export.xlsx --form REACH_2024_MSNA
    """
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.records.imports import import_file

    proj = get_project(project)
    with _progress() as progress:
        res = import_file(proj, file, form_id=form, progress=progress)
    _problems(res.problems, show_problems)
    reps = ", ".join(f"{k} {v}" for k, v in res.repeat_rows.items())
    out.print(_("Imported %(file)s into %(project)s (form %(form)s, version %(version)s): %(rows)d records read, "
                "%(new)d new, %(old)d already present.") % {
        "file": file.name, "project": proj.slug, "form": res.form_id, "version": res.version, "rows": res.rows,
        "new": res.created, "old": res.already_present}
        + (" " + _("Repeat rows: %(r)s.") % {"r": reps} if reps else "")
        + (" " + _("%(n)d data-quality problems found (lnob quality %(p)s).") % {"n": res.issues, "p": proj.slug}
           if res.issues else ""), markup=False)


def export_cmd(
    ctx: typer.Context,
    project: str = typer.Argument(..., help="Project short name."),
    fmt: str = typer.Option("csv", "--format", help="csv (a ZIP of CSVs), xlsx or parquet (a directory)."),
    out_path: Optional[Path] = typer.Option(None, "--out", metavar="PATH", help="Output file or directory."),
    form: Optional[str] = typer.Option(None, "--form", metavar="FORM_ID", help="Only this form."),
    include_personal: bool = typer.Option(False, "--include-personal",
                                          help="Keep personal fields; needs --as USER with the right to see them."),
    as_user: Optional[str] = typer.Option(None, "--as", metavar="USER",
                                          help="Export on behalf of this account (checked and audited)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output."),
    quasi: Optional[list[str]] = typer.Option(
        None, "--quasi", metavar="COL",
        help="Microdata release: a quasi-identifier column (repeat the option, or COL,COL); needs --form."),
    k: int = typer.Option(5, "--k", metavar="K", help="Microdata release: smallest group size (default 5)."),
    l_div: Optional[int] = typer.Option(None, "--l", metavar="L",
                                        help="Microdata release: l-diversity on --sensitive (default 2)."),
    sensitive: Optional[str] = typer.Option(None, "--sensitive", metavar="COL",
                                            help="Microdata release: the sensitive column for l-diversity."),
    table: Optional[str] = typer.Option(None, "--table", metavar="TABLE",
                                        help="Microdata release: the table (default the form's record table; "
                                             "or a repeat table form_<id>__<repeat>)."),
    risk_report: bool = typer.Option(False, "--risk-report",
                                     help="Microdata release: print the risk summary and export nothing."),
    suppress: bool = typer.Option(False, "--suppress",
                                  help="Microdata release: blank the cells local suppression chooses (reach k)."),
) -> None:
    """Export a project's records (one table per form and per repeat), or release microdata.

    Personal fields are left out unless --include-personal is given together with
    --as USER naming an account that may see personal data on the project
    (manager or owner, or an analyst an owner granted personal data); the export
    is recorded in the audit log.

    With --quasi, the export is a microdata release of one table of --form: the risk
    summary (records, classes below k, l-diversity, cells local suppression would
    blank) is printed first; --risk-report stops there, --suppress blanks those cells.

    Example: lnob export demo --format xlsx --out demo.xlsx

    Example: lnob export demo --form lnob_household --quasi location__district,location__area --k 5 --risk-report
    """
    workspace(ctx)
    from django.contrib.auth import get_user_model

    from lnob.core.roles import role_allows
    from lnob.core.services import get_project, may_see_personal, role_of
    from lnob.records.export import FORMATS, export_project

    if fmt not in FORMATS:
        raise UsageError(_("unknown export format %(f)r") % {"f": fmt}, where="--format",
                         hint=_("formats: %(f)s") % {"f": ", ".join(FORMATS)}, code="records.export-format")
    proj = get_project(project)
    user = None
    if as_user is not None:
        user = get_user_model().objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise UsageError(_("no active user %(u)r") % {"u": as_user}, where="--as", code="records.unknown-user")
        if not role_allows(role_of(user, proj), "records.export"):
            raise UsageError(_("%(u)s may not export records of %(p)s") % {"u": as_user, "p": proj.slug},
                             where="--as", hint=_("exporting needs the analyst role or above"),
                             code="records.export-denied")
    if include_personal:
        if user is None:
            raise UsageError(_("--include-personal needs --as USER: personal data are exported on behalf of an "
                               "account allowed to see them"), where="--include-personal",
                             hint=_("e.g. --include-personal --as asha (a manager or owner of the project)"),
                             code="records.export-personal-denied")
        if not may_see_personal(user, proj):
            raise UsageError(_("%(u)s may not see personal fields of %(p)s") % {"u": as_user, "p": proj.slug},
                             where="--as", hint=_("managers and owners see personal fields, and analysts an owner "
                                                  "granted personal data"),
                             code="records.export-personal-denied")
    micro_opts = risk_report or suppress or sensitive or l_div is not None or table
    if quasi or micro_opts:
        _release(proj, fmt, out_path, form, quasi, k, l_div, sensitive, table, risk_report, suppress,
                 include_personal, user, overwrite)
        return
    _print_default_risks(proj, form, include_personal)
    with _progress(min_total=1) as progress:
        res = export_project(proj, fmt, out_path, form_id=form, include_personal=include_personal, actor=user,
                             progress=progress, overwrite=overwrite)
    tables = ", ".join(f"{t} ({n:,} rows)" for t, n in res.tables.items())
    out.print(_("Exported %(p)s to %(path)s: %(tables)s.") % {"p": proj.slug, "path": res.path, "tables": tables},
              markup=False)
    if res.personal_left_out:
        err.print(_("Left out %(n)d personal fields: %(f)s") % {"n": len(res.personal_left_out),
                                                               "f": ", ".join(res.personal_left_out)}, markup=False)


def _print_default_risks(proj, form, include_personal) -> None:
    """Before a full (record-level) export: the re-identification risk of each form's records on the
    quasi-identifiers lnob suggests, with how to release them safely instead."""
    from lnob.records.release import default_risks

    for s in default_risks(proj, form, include_personal=include_personal):
        err.print(_("Risk: %(n)d of %(m)d records of %(t)s are in groups smaller than %(k)d on %(q)s "
                    "(%(u)d unique).") % {"n": s.records_below_k, "m": s.records, "t": s.table, "k": s.k,
                                         "q": ", ".join(s.quasi), "u": s.records_unique}, markup=False)
        if s.records_below_k:
            err.print(_("  This export keeps every record as it is: share it only inside the project. To release "
                        "microdata, use --form %(f)s --quasi COL,COL --risk-report, then --suppress.")
                      % {"f": s.form_id}, markup=False)


def _release(proj, fmt, out_path, form, quasi, k, l_div, sensitive, table, risk_report, suppress,
             include_personal, user, overwrite) -> None:
    """``lnob export --quasi …``: the risk summary, then (unless --risk-report) the release."""
    from lnob.records.release import ReleaseSpec, release, risk_summary

    if not form:
        raise UsageError(_("a microdata release is one table of one form: give --form FORM_ID"), where="--form",
                         hint=_("e.g. --form lnob_household --quasi location__district,location__area"),
                         code="records.release-form")
    if not quasi:
        raise UsageError(_("a microdata release needs its quasi-identifiers"), where="--quasi",
                         hint=_("e.g. --quasi location__district --quasi location__area --quasi household__hh_size"),
                         code="records.release-quasi")
    cols = [c.strip() for q in quasi for c in q.split(",") if c.strip()]
    spec = ReleaseSpec(form_id=form, quasi=cols, k=k, table=table, sensitive=sensitive, l=l_div, suppress=suppress)
    summary = risk_summary(proj, spec, include_personal=include_personal)
    _print_summary(summary)
    if risk_report:
        return
    with _progress(min_total=1) as progress:
        res, summary = release(proj, fmt, out_path, spec, include_personal=include_personal, actor=user,
                               progress=progress, overwrite=overwrite)
    tables = ", ".join(f"{t} ({n:,} rows)" for t, n in res.tables.items())
    out.print(_("Exported %(p)s to %(path)s: %(tables)s.") % {"p": proj.slug, "path": res.path, "tables": tables},
              markup=False)
    if suppress:
        out.print(_("Local suppression blanked %(n)d cells.") % {"n": summary.suppressed_cells}, markup=False)
    elif summary.records_below_k:
        err.print(_("Released as it is: %(n)d records are in groups smaller than k (use --suppress).")
                  % {"n": summary.records_below_k}, markup=False)


def _print_summary(s) -> None:
    p = lambda text: out.print(text, markup=False)  # noqa: E731
    p(_("Risk summary of %(t)s (k = %(k)d, quasi-identifiers: %(q)s)") % {"t": s.table, "k": s.k,
                                                                          "q": ", ".join(s.quasi)})
    p("  " + _("records: %(n)d") % {"n": s.records})
    p("  " + _("equivalence classes: %(n)d") % {"n": s.classes})
    p("  " + _("classes below k: %(n)d") % {"n": s.classes_below_k})
    p("  " + _("records at risk (in classes below k): %(n)d (%(pc).1f %%)") % {"n": s.records_below_k,
                                                                             "pc": 100 * s.share_below_k})
    p("  " + _("unique records: %(n)d") % {"n": s.records_unique})
    if s.sensitive:
        p("  " + _("l-diversity (l = %(l)d on %(s)s): %(c)d classes, %(r)d records below l") % {
            "l": s.l, "s": s.sensitive, "c": s.l_classes_below, "r": s.l_records_below})
    p("  " + _("local suppression would blank %(n)d cells in %(r)d records: %(by)s") % {
        "n": s.suppressed_cells, "r": s.records_changed,
        "by": ", ".join(f"{q} {n}" for q, n in s.suppression.items())})
    if s.unresolved:
        p("  " + _("fewer than k records: no release can be k-anonymous"))
    p("  " + _("personal fields left out: %(f)s") % {"f": ", ".join(s.personal_left_out) or _("none")})


def quality_cmd(
    ctx: typer.Context,
    project: str = typer.Argument(..., help="Project short name."),
    recheck: bool = typer.Option(False, "--recheck", help="Check every record again (default: unchecked ones)."),
    keys: Optional[str] = typer.Option(None, "--keys", metavar="FORM_ID:COL,COL",
                                       help="Set the key fields that mark duplicates, e.g. hh:location__village,"
                                            "household__head"),
    show: int = typer.Option(20, "--show", metavar="N", help="Problems by field to list."),
) -> None:
    """Check records against their form and summarise data quality.

    Example: lnob quality demo --keys lnob_household:location__village,household__hh_size
    """
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.forms.services import get_form
    from lnob.records.quality import check_records, quality_summary, set_key_fields

    proj = get_project(project)
    if keys:
        if ":" not in keys:
            raise UsageError(_("--keys needs FORM_ID:COLUMN,COLUMN"), where="--keys", code="records.bad-keys")
        fid, cols = keys.split(":", 1)
        set_key_fields(get_form(proj, fid), [c.strip() for c in cols.split(",") if c.strip()])
    with _progress() as progress:
        res = check_records(proj, recheck=recheck, progress=progress)
    s = quality_summary(proj)
    out.print(_("Checked %(n)d records: %(i)d problems; %(s)d rules could not be evaluated (skipped).")
              % {"n": res.records, "i": res.issues, "s": res.skipped}, markup=False)
    out.print(_("Records by state: %(s)s") % {"s": ", ".join(f"{k} {v}" for k, v in s["states"].items())},
              markup=False)
    for field, rule, n in s["by_field"][:show]:
        out.print(f"  {field}  {rule}  {n}", markup=False)
    for f in s["forms"]:
        c = f["consent"]
        if c:
            out.print(_("%(form)s: %(no)d records without consent (%(field)s not 'yes'), %(missing)d with no answer")
                      % {"form": f["form"].form_id, "no": c["no"], "missing": c["missing"], "field": c["field"]},
                      markup=False)
        if f["keys"]:
            out.print(_("%(form)s: %(n)d groups of duplicates by %(keys)s") % {
                "form": f["form"].form_id, "n": len(f["duplicates"]), "keys": ", ".join(f["keys"])}, markup=False)
            for values, n, ids in f["duplicates"][:show]:
                out.print(f"  {values} ×{n}: {', '.join(ids[:5])}", markup=False)


def review_cmd(
    ctx: typer.Context,
    project: str = typer.Argument(..., help="Project short name."),
    record: str = typer.Argument(..., help="Instance ID (uuid:…) or record number."),
    state: Optional[str] = typer.Option(None, "--state", help="received, has_issues, approved or rejected."),
    comment: Optional[str] = typer.Option(None, "--comment", help="A comment (needed to reject)."),
) -> None:
    """Set a record's review state and/or comment on it; prints its history.

    Example: lnob review demo uuid:1234 --state rejected --comment "household visited twice"
    """
    workspace(ctx)
    import getpass

    from lnob.core.services import get_project
    from lnob.records import review

    proj = get_project(project)
    rec = review.get_record(proj, record)
    who = f"cli:{getpass.getuser()}"
    if state:
        review.set_state(rec, state, actor_name=who, comment=comment or "")
    elif comment:
        review.add_comment(rec, comment, actor_name=who)
    out.print(f"{rec.instance_id}: {rec.review_state}", markup=False)
    for ev in review.history(rec):
        change = f"{ev.from_state} → {ev.to_state}" if ev.kind == "state" else ev.kind
        out.print(f"  {ev.at:%Y-%m-%d %H:%M} {ev.actor_name}: {change} {ev.comment}".rstrip(), markup=False)
    for issue in rec.issues.all()[:50]:
        out.print(f"  ! {issue.field} [{issue.rule}] {issue.value!r} {issue.detail}", markup=False)
