# Synthetic design + R survey 4.1-1 fixtures for tests/equity/test_mpi.py.
#
#   Rscript tests/equity/r/mpi.R tests/equity/data/mpi_synth.csv tests/equity/r/mpi_fixtures.json
#
# Writes the data (fixed seed) and the Alkire-Foster H (svymean of 1[poor]), M0 (svymean of
# c_i(k)) and A (svyratio of c_i(k) over 1[poor]) with SEs, overall and by region, for
# weights (1/3, 1/3, 1/6, 1/6) and k = 1/3.  Rows with a missing deprivation are dropped
# (na.rm = TRUE, a domain that keeps every PSU).
suppressPackageStartupMessages({library(survey); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
set.seed(20240611)
rows <- list()
for (h in 1:4) for (p in 1:5) {
  n <- 6 + ((h + p) %% 4)
  u <- rnorm(1)
  for (i in 1:n) {
    lat <- u + rnorm(1) + (h == 4) * 0.8
    d <- as.integer(runif(4) < plogis(c(-1, -0.6, -1.4, 0) + lat))
    rows[[length(rows) + 1]] <- data.frame(
      stratum = paste0("h", h), psu = h * 100 + p, fpc = 20 + 5 * h,
      w = round(runif(1, 5, 40), 3), region = c("north", "south", "east")[1 + (i %% 3)],
      water = d[1], school = d[2], health = d[3], assets = d[4])
  }
}
df <- do.call(rbind, rows)
df$health[c(7, 40)] <- NA
write.csv(df, args[1], row.names = FALSE, na = "")
df <- read.csv(args[1])
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = df)
c <- with(df, water / 3 + school / 3 + health / 6 + assets / 6)
poor <- as.numeric(c >= 1/3 - 1e-12)
des <- update(des, poor = poor, ck = c * poor,
              h_water = df$water * poor, h_school = df$school * poor,
              h_health = df$health * poor, h_assets = df$assets * poor)
one <- function(d, dom) {
  m <- svymean(~poor + ck, d, na.rm = TRUE)
  a <- svyratio(~ck, ~poor, d, na.rm = TRUE)
  hc <- svymean(~h_water + h_school + h_health + h_assets, d, na.rm = TRUE)
  list(region = dom,
       H = list(estimate = unname(coef(m)["poor"]), se = unname(SE(m)["poor"])),
       M0 = list(estimate = unname(coef(m)["ck"]), se = unname(SE(m)["ck"])),
       A = list(estimate = unname(coef(a)), se = unname(SE(a))),
       censored = as.list(setNames(unname(coef(hc)), c("water", "school", "health", "assets"))))
}
res <- list(one(des, NULL))
for (g in sort(unique(df$region))) res[[length(res) + 1]] <- one(subset(des, region == g), g)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), args[2])
