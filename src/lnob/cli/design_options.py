"""The survey-design options shared by every command that estimates from a data file.

``lnob estimate``, ``lnob mpi``, ``lnob gaps`` and ``lnob behind`` take the same
design options (``--weight … --lonely-psu``, ``--engine``); they are declared
once here as annotated types, and :func:`design_from_options` turns them into a
:class:`lnob.stats.Design` or :class:`lnob.stats.ReplicateDesign` with one set
of rules.
"""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from lnob.errors import UsageError
from lnob.i18n import _

Weight = Annotated[Optional[str], typer.Option(
    "--weight", metavar="COL",
    help="Sampling weight column (default: every weight 1; with --fpc and no weight, weights come from the fpc "
         "as in R). Example: --weight pw")]
Strata = Annotated[Optional[str], typer.Option(
    "--strata", metavar="COL", help="Stratum column. Example: --strata region")]
Cluster = Annotated[List[str], typer.Option(
    "--cluster", metavar="COL",
    help="Cluster column of one stage; repeat for more stages, first = PSU (default: each row is its own PSU). "
         "Example: --cluster village --cluster household")]
Fpc = Annotated[List[str], typer.Option(
    "--fpc", metavar="COL",
    help="Finite population correction of one stage, repeated like --cluster: population sizes, or sampling "
         "fractions when every value is <= 1. Example: --fpc N_villages")]
Nest = Annotated[bool, typer.Option(
    "--nest", help="PSU ids are only unique within strata (R nest=TRUE). Without it a PSU id in two strata is an "
                   "error.")]
ReplicateWeights = Annotated[Optional[str], typer.Option(
    "--replicate-weights", metavar="PREFIX",
    help="Use the replicate weights in every column whose name starts with PREFIX. Example: --replicate-weights repw")]
ReplicateType = Annotated[Optional[str], typer.Option(
    "--replicate-type", metavar="jk1|jkn|brr|bootstrap",
    help="Kind of replicate weights (jkn needs --strata and --cluster). Example: --replicate-type jk1")]
Fay = Annotated[Optional[float], typer.Option(
    "--fay", metavar="RHO", help="Fay's rho for BRR replicate weights. Example: --replicate-type brr --fay 0.5")]
Mse = Annotated[bool, typer.Option(
    "--mse", help="Centre replicate estimates on the full-sample estimate (R mse=TRUE).")]
LonelyPsu = Annotated[str, typer.Option(
    "--lonely-psu", metavar="fail|remove|certainty|adjust|average",
    help="What a stratum with a single PSU contributes (R survey.lonely.psu). Example: --lonely-psu adjust")]
Engine = Annotated[str, typer.Option(
    "--engine", metavar="duckdb|postgresql://...|spark[:MASTER]",
    help="Where to compute: embedded DuckDB, a PostgreSQL URL, or Apache Spark (spark, spark:local[4], "
         "spark://host:7077). Example: --engine postgresql://user@localhost/db")]


def design_from_options(weight, strata, cluster, fpc, nest, replicate_weights, replicate_type,
                        fay, mse, lonely_psu):
    """The :class:`~lnob.stats.Design` or :class:`~lnob.stats.ReplicateDesign` the options describe."""
    from lnob.stats import Design, ReplicateDesign

    if replicate_weights:
        return ReplicateDesign(weights=weight, prefix=replicate_weights, type=replicate_type or "",
                               fay=fay, mse=mse, strata=strata, clusters=list(cluster))
    if replicate_type or fay is not None or mse:
        raise UsageError(_("--replicate-type, --fay and --mse need --replicate-weights"),
                         where="--replicate-weights",
                         hint=_("e.g. --replicate-weights rw --replicate-type jk1"),
                         code="stats.no-replicates")
    return Design(weights=weight, strata=strata, clusters=list(cluster), fpc=list(fpc), nest=nest,
                  lonely_psu=lonely_psu)
