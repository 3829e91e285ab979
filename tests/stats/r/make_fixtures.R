# Reference results from R `survey` for lnob.stats.
#
# Usage (from the repository root):
#   Rscript tests/stats/r/make_fixtures.R tests/stats/cases.json tests/data/survey_microdata tests/stats/fixtures
#
# For every case of cases.json it reads the CSV, builds the design with svydesign() or
# svrepdesign(), and for every domain of every `by` table subsets the design exactly as
# svyby() does (design[rows, ]) and calls svymean / svytotal / svyratio / svyciprop
# (methods logit, beta, mean) with na.rm=TRUE (missing values = the domain of non-missing
# rows).  It writes one JSON file per case.
suppressMessages({
  library(survey)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: make_fixtures.R CASES.json DATA_DIR OUT_DIR")
cases <- fromJSON(args[1], simplifyVector = FALSE)
data_dir <- args[2]
out_dir <- args[3]
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

bq <- function(x) paste0("`", gsub("`", "\\\\`", x), "`")
fml <- function(cols) as.formula(paste("~", paste(bq(unlist(cols)), collapse = "+")))
or_null <- function(x, y) if (is.null(x)) y else x

make_design <- function(df, d) {
  if (d$type == "taylor") {
    ids <- if (length(d$clusters)) fml(d$clusters) else ~1
    a <- list(ids = ids, data = df, nest = isTRUE(d$nest))
    if (!is.null(d$strata)) a$strata <- fml(d$strata)
    if (!is.null(d$weights)) a$weights <- fml(d$weights)
    if (length(d$fpc)) a$fpc <- fml(d$fpc)
    return(suppressWarnings(do.call(svydesign, a)))
  }
  cols <- names(df)[startsWith(names(df), d$prefix) & names(df) != or_null(d$weights, "")]
  rw <- df[, cols]
  w <- if (is.null(d$weights)) rep(1, nrow(df)) else df[[d$weights]]
  mse <- isTRUE(d$mse)
  type <- switch(d$rep_type, jk1 = "JK1", jkn = "JKn", brr = if (is.null(d$fay)) "BRR" else "Fay",
                 bootstrap = "bootstrap")
  a <- list(data = df, repweights = rw, weights = w, type = type, combined.weights = TRUE, mse = mse)
  if (type == "JK1") a$scale <- (length(cols) - 1) / length(cols)
  if (type == "Fay") a$rho <- d$fay
  if (type == "JKn") {
    # rscales (n_h - 1)/n_h of the stratum where the replicate has zero weights
    nh <- tapply(df[[d$clusters[[1]]]], df[[d$strata]], function(v) length(unique(v)))
    a$rscales <- sapply(cols, function(c) {
      h <- unique(df[[d$strata]][df[[c]] == 0 & w > 0])
      stopifnot(length(h) == 1)
      (nh[[as.character(h)]] - 1) / nh[[as.character(h)]]
    })
  }
  suppressWarnings(do.call(svrepdesign, a))
}

num <- function(x) if (length(x) == 0 || is.null(x)) NA else as.numeric(x)

one <- function(stat, lev, domain, est, se, ci, n, pop, df, deff) {
  r <- list(statistic = stat, level = lev, domain = domain, estimate = num(est), se = num(se),
            n = n, population = num(pop), df = num(df))
  if (is.list(ci)) r$ci <- ci else { r$ci_low <- num(ci[1]); r$ci_high <- num(ci[2]) }
  if (!is.null(deff)) r$deff <- num(deff)
  r
}

sampling_weights <- function(des) {
  if (inherits(des, "svyrep.design")) des$pweights else 1 / des$prob
}

run_case <- function(case) {
  options(survey.lonely.psu = or_null(case$design$lonely_psu, "fail"),
          survey.adjust.domain.lonely = isTRUE(case$design$adjust_domain_lonely))
  df <- read.csv(file.path(data_dir, case$data), check.names = FALSE, stringsAsFactors = FALSE)
  des <- make_design(df, case$design)
  level <- or_null(case$level, 0.95)
  want_deff <- isTRUE(case$deff)
  out <- list()
  for (by in case$by) {
    by <- unlist(by)
    if (length(by)) {
      combos <- unique(df[, by, drop = FALSE])
      combos <- combos[complete.cases(combos), , drop = FALSE]
    } else combos <- data.frame(dummy = 1)[, 0, drop = FALSE][1, , drop = FALSE]
    for (ci in seq_len(max(1, nrow(combos)))) {
      idx <- rep(TRUE, nrow(df))
      domain <- list()
      for (b in by) {
        v <- combos[[b]][ci]
        idx <- idx & !is.na(df[[b]]) & df[[b]] == v
        domain[[b]] <- v
      }
      if (!length(by)) domain <- setNames(list(), character(0))
      for (st in case$stats) {
        cols <- if (st$stat == "ratio") c(st$num, st$den) else st$var
        valid <- idx & complete.cases(df[, cols, drop = FALSE])
        if (!any(valid)) next
        sub <- des[valid, ]
        n <- sum(valid)
        pop <- sum(sampling_weights(sub))
        dfree <- degf(sub)
        label <- if (st$stat == "ratio") paste0(st$num, "/", st$den) else st$var
        if (st$stat %in% c("mean", "total")) {
          f <- if (st$stat == "mean") svymean else svytotal
          m <- f(fml(st$var), sub, deff = want_deff)
          r <- one(st$stat, NULL, domain, coef(m), SE(m), confint(m, level = level), n, pop, dfree,
                   if (want_deff) deff(m) else NULL)
          r$variable <- label
          out[[length(out) + 1]] <- r
        } else if (st$stat == "ratio") {
          # survey 4.1-1: svyratio(..., deff=TRUE) fails on replicate designs (rval[i, j] on a
          # list), so the ratio deff is only compared for linearisation designs.
          m <- tryCatch(svyratio(fml(st$num), fml(st$den), sub, deff = want_deff),
                        error = function(e) svyratio(fml(st$num), fml(st$den), sub))
          d <- if (want_deff) attr(m, "deff") else NULL
          r <- one("ratio", NULL, domain, coef(m), SE(m), confint(m, level = level), n, pop, dfree, d)
          r$variable <- label
          out[[length(out) + 1]] <- r
        } else {
          levs <- sort(unique(df[[st$var]][!is.na(df[[st$var]])]))
          for (lv in levs) {
            sub2 <- sub
            sub2$variables$ind_ <- as.numeric(sub2$variables[[st$var]] == lv)
            m <- svymean(~ind_, sub2, deff = want_deff)
            cis <- list()
            for (meth in c("logit", "beta", "mean")) {
              p <- suppressWarnings(svyciprop(~ind_, sub2, method = meth, level = level))
              key <- if (meth == "mean") "wald" else meth
              cis[[key]] <- as.numeric(attr(p, "ci"))
            }
            r <- one("proportion", lv, domain, coef(m), SE(m), cis, n, pop, dfree,
                     if (want_deff) deff(m) else NULL)
            r$variable <- label
            out[[length(out) + 1]] <- r
          }
        }
      }
    }
  }
  out
}

for (case in cases) {
  res <- run_case(case)
  write_json(list(id = case$id, r_version = paste(R.version$major, R.version$minor, sep = "."),
                  survey_version = as.character(packageVersion("survey")), results = res),
             file.path(out_dir, paste0(case$id, ".json")), digits = NA, auto_unbox = TRUE,
             null = "null", na = "null", pretty = FALSE)
  cat(case$id, length(res), "estimates\n")
}
