# Pooling independent member samples: the reference numbers for tests/coalition/test_pooling_r.py.
#
# Run from the repository root:  Rscript tests/data/coalition/make_pooling_fixture.R
# Writes tests/data/coalition/pooling_microdata.csv (two synthetic member samples, generated
# here) and tests/data/coalition/pooling_r.json (R survey's member and pooled estimates).
#
# Two organisations each draw their own stratified two-stage sample from their own population.
# Pooled over the union of the two populations, the mean of y is
#     theta = sum_i W_i theta_i,  W_i = N_i / sum_j N_j,  Var = sum_i W_i^2 SE_i^2
# when the population sizes N_i are known.  R checks this two ways on the combined design
# (rbind of both samples, each member's strata kept as its own strata, so the samples are
# independent by construction):
#   * "poststratified": the combined design post-stratified on member (x domain) to the known
#     population sizes N_i (= each member's sum of weights), then svymean / svyby;
#   * "contrast": svyby(~y, ~member) on the combined design, then svycontrast with weights W_i.
# For totals: svytotal on the combined design (no calibration needed): sum of totals, variance
# sum of variances.  The uncalibrated combined ratio mean ("estimated_sizes") is also written:
# its SE differs because it treats the N_i as estimated (docs/coalition.md).
suppressMessages({library(survey); library(jsonlite)})
set.seed(20251125)

member_sample <- function(member, strata, psus, per_psu, p_base, mu_base) {
  rows <- list()
  for (h in seq_len(strata)) {
    for (j in seq_len(psus)) {
      m <- per_psu + sample(0:3, 1)
      w <- runif(1, 20, 60) * (1 + h / 2)
      u <- rnorm(1, 0, 0.4)
      sex <- sample(c("F", "M"), m, replace = TRUE)
      p <- plogis(qlogis(p_base) + u + 0.3 * (sex == "F") - 0.2 * h)
      rows[[length(rows) + 1]] <- data.frame(
        member = member, stratum = paste0(member, "_s", h), psu = paste0(member, "_s", h, "_c", j),
        weight = round(w * runif(m, 0.9, 1.1), 4), sex = sex,
        y = rbinom(m, 1, p), x = round(mu_base + 5 * h + 10 * u + rnorm(m, 0, 8), 3))
    }
  }
  do.call(rbind, rows)
}

a <- member_sample("org-a", strata = 3, psus = 6, per_psu = 8, p_base = 0.55, mu_base = 40)
b <- member_sample("org-b", strata = 2, psus = 7, per_psu = 10, p_base = 0.35, mu_base = 55)
all <- rbind(a, b)
write.csv(all, "tests/data/coalition/pooling_microdata.csv", row.names = FALSE)

des <- function(d) svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
dA <- des(a); dB <- des(b); dAll <- des(all)

one <- function(est) list(estimate = unname(coef(est))[1], se = unname(SE(est))[1])

member_stats <- function(d, data, domain) {
  out <- list()
  for (v in c("y", "x")) {
    f <- as.formula(paste0("~", v))
    if (is.null(domain)) {
      m <- one(svymean(f, d)); t <- one(svytotal(f, d))
      out[[v]] <- list(list(groups = setNames(list(), character(0)), mean = m, total = t,
                            population = sum(weights(d)), n = nrow(data)))
    } else {
      cells <- list()
      for (g in sort(unique(data[[domain]]))) {
        s <- subset(d, sex == g)
        cells[[length(cells) + 1]] <- list(groups = setNames(list(g), domain),
                                           mean = one(svymean(f, s)), total = one(svytotal(f, s)),
                                           population = sum(weights(d)[data[[domain]] == g]),
                                           n = sum(data[[domain]] == g))
      }
      out[[v]] <- cells
    }
  }
  out
}

members <- list()
for (m in list(list("org-a", dA, a), list("org-b", dB, b))) {
  members[[m[[1]]]] <- list(total = member_stats(m[[2]], m[[3]], NULL),
                            sex = member_stats(m[[2]], m[[3]], "sex"))
}

pooled <- list()
# whole population
Ns <- c(sum(weights(dA)), sum(weights(dB)))
ps <- postStratify(dAll, ~member, data.frame(member = c("org-a", "org-b"), Freq = Ns))
byM <- svyby(~y + x, ~member, dAll, svymean, covmat = TRUE)
W <- Ns / sum(Ns)
for (v in c("y", "x")) {
  f <- as.formula(paste0("~", v))
  co <- svycontrast(byM, setNames(list(setNames(W, paste0(c("org-a", "org-b"), ":", v))), "pooled"))
  pooled[[v]] <- list(list(groups = setNames(list(), character(0)),
                           poststratified = one(svymean(f, ps)),
                           contrast = one(co),
                           estimated_sizes = one(svymean(f, dAll)),
                           total = one(svytotal(f, dAll))))
}
# by sex: post-stratify on member x sex to each member's domain sizes
cellN <- aggregate(weight ~ member + sex, data = all, FUN = sum)
names(cellN)[3] <- "Freq"
ps2 <- postStratify(dAll, ~member + sex, cellN)
for (v in c("y", "x")) {
  f <- as.formula(paste0("~", v))
  bs <- svyby(f, ~sex, ps2, svymean)
  bt <- svyby(f, ~sex, dAll, svytotal)
  be <- svyby(f, ~sex, dAll, svymean)
  at <- function(b, g) { i <- match(g, names(coef(b))); list(estimate = unname(coef(b))[i], se = unname(SE(b))[i]) }
  for (g in sort(unique(all$sex))) {
    pooled[[v]][[length(pooled[[v]]) + 1]] <- list(
      groups = list(sex = g),
      poststratified = at(bs, g), estimated_sizes = at(be, g), total = at(bt, g))
  }
}

out <- list(source = "tests/data/coalition/make_pooling_fixture.R",
            r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
            design = "ids=~psu, strata=~stratum, weights=~weight, nest=TRUE (each member its own strata)",
            members = members, pooled = pooled)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/data/coalition/pooling_r.json")
cat("wrote tests/data/coalition/pooling_r.json\n")
