# Fixtures for tests/stats/test_contrast.py: linearised contrasts between domain estimates
# (group vs total, group vs group; difference and ratio) computed with R survey 4.1-1.
#
#   Rscript tests/stats/r/contrast.R tests/data/survey_microdata tests/stats/r/contrast_fixtures.json
#
# A group and the total are in one svyratio() call with covmat=TRUE (numerator y*1[domain],
# denominator 1[domain], over the rows where y is not missing); svycontrast() then gives the
# difference (linear) and the ratio (delta method).  Group-vs-group contrasts are also checked
# inside R against svyby(..., covmat=TRUE) + svycontrast().
suppressPackageStartupMessages({library(survey); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]; out <- args[2]

cases <- list(
  list(id = "api_strat_mean", data = "api_strat.csv", var = "api00", level = NULL, by = "stype",
       design = function(df) svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = df)),
  list(id = "api_strat_prop", data = "api_strat.csv", var = "awards", level = "Yes", by = "stype",
       design = function(df) svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = df)),
  list(id = "api_clus2_mean", data = "api_clus2.csv", var = "api00", level = NULL, by = "stype",
       design = function(df) svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = df)),
  list(id = "nhanes_zinc", data = "nhanes2.csv", var = "zinc", level = NULL, by = "race",
       design = function(df) svydesign(id = ~psuid, strata = ~stratid, weights = ~finalwgt, nest = TRUE, data = df)),
  list(id = "nhanes_highbp", data = "nhanes2.csv", var = "highbp", level = 1, by = "region",
       design = function(df) svydesign(id = ~psuid, strata = ~stratid, weights = ~finalwgt, nest = TRUE, data = df)),
  list(id = "synth_multistage", data = "synth_multi.csv", var = "y", level = NULL, by = "region",
       design = function(df) svydesign(id = ~psu + ssu, strata = ~stratum, weights = ~wt, fpc = ~N1 + N2, data = df)),
  list(id = "synth_poor_by_sex", data = "synth_multi.csv", var = "poor", level = 1, by = "sex",
       design = function(df) svydesign(id = ~psu + ssu, strata = ~stratum, weights = ~wt, fpc = ~N1 + N2, data = df)),
  list(id = "synth_jk1", data = "synth_multi.csv", var = "y", level = NULL, by = "region",
       design = function(df) {
         cols <- grep("^jk1_", names(df), value = TRUE)
         svrepdesign(data = df, repweights = df[, cols], weights = df$wt, type = "JK1",
                     combined.weights = TRUE, scale = (length(cols) - 1) / length(cols))
       })
)
options(survey.lonely.psu = "adjust")

results <- list()
for (cs in cases) {
  df <- read.csv(file.path(data_dir, cs$data), check.names = FALSE)
  y <- df[[cs$var]]
  if (!is.null(cs$level)) y <- ifelse(is.na(y), NA, as.numeric(y == cs$level))
  ok <- !is.na(y)
  g <- df[[cs$by]]
  groups <- sort(unique(g[!is.na(g) & ok]))
  nm <- c("T", paste0("g", seq_along(groups)))
  df[["num_T"]] <- ifelse(ok, y, 0); df[["den_T"]] <- as.numeric(ok)
  for (i in seq_along(groups)) {
    ind <- ok & !is.na(g) & g == groups[i]
    df[[paste0("num_g", i)]] <- ifelse(ind, y, 0); df[[paste0("den_g", i)]] <- as.numeric(ind)
  }
  des <- suppressWarnings(cs$design(df))
  r <- svyratio(as.formula(paste("~", paste0("num_", nm, collapse = "+"))),
                as.formula(paste("~", paste0("den_", nm, collapse = "+"))), des, covmat = TRUE)
  keys <- paste0("num_", nm, "/den_", nm)
  st <- structure(coef(r)[keys], var = vcov(r)[keys, keys], statistic = "ratio", class = "svystat")
  names(st) <- nm
  attr(st, "var") <- `dimnames<-`(attr(st, "var"), list(nm, nm))
  # cross-check inside R: group-vs-group differences from svyby(covmat=TRUE)
  dd <- des
  dd <- update(dd, yy = y, gg = factor(g))
  # (svyby(covmat=TRUE) fails in survey 4.1-1 when y has missing values: checked without them)
  b <- if (all(ok)) svyby(~yy, ~gg, dd, svymean, covmat = TRUE) else NULL
  pairs <- list()
  for (i in seq_along(groups)) pairs[[length(pairs) + 1]] <- c(paste0("g", i), "T")
  for (i in seq_along(groups)) for (j in seq_along(groups)) if (i < j)
    pairs[[length(pairs) + 1]] <- c(paste0("g", i), paste0("g", j))
  for (p in pairs) {
    d <- svycontrast(st, list(c = substitute(a - b, list(a = as.name(p[1]), b = as.name(p[2])))))
    q <- svycontrast(st, list(c = substitute(a / b, list(a = as.name(p[1]), b = as.name(p[2])))))
    if (p[2] != "T" && !is.null(b)) {
      i <- as.integer(sub("g", "", p[1])); j <- as.integer(sub("g", "", p[2]))
      cc <- rep(0, length(groups)); cc[i] <- 1; cc[j] <- -1
      d2 <- svycontrast(b, cc)
      if (!is.na(SE(d2)) && !isTRUE(all.equal(as.numeric(SE(d)), as.numeric(SE(d2)), tolerance = 1e-10))) stop("svyby and svyratio disagree: ", cs$id)
    }
    lab <- function(x) if (x == "T") NULL else groups[as.integer(sub("g", "", x))]
    results[[length(results) + 1]] <- list(
      case = cs$id, group = lab(p[1]), reference = lab(p[2]),
      group_estimate = unname(coef(st)[p[1]]), reference_estimate = unname(coef(st)[p[2]]),
      difference = unname(coef(d)), difference_se = unname(SE(d)),
      ratio = unname(coef(q)), ratio_se = unname(SE(q)))
  }
}
writeLines(toJSON(results, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), out)
