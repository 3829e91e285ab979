#!/usr/bin/env bash
# Debian packages some tests use, installed when missing (CI calls this before the test run):
#   poppler-utils          — the Hindi PDF brief test reads fonts and text out of the PDF
#   r-cran-survey, jsonlite — the live comparisons with R's survey package (marker `r`)
#   openjdk-17-jre-headless — the Spark engine tests (marker `spark`; pyspark needs Java 17+)
# A test whose tool is still missing is reported as skipped with the reason, never passed.
set -uo pipefail
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v Rscript >/dev/null && Rscript -e 'library(survey); library(jsonlite)' >/dev/null 2>&1 \
  || need+=(r-cran-survey r-cran-jsonlite)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -eq 0 ]; then
  echo "test tools: all present"
  exit 0
fi
echo "test tools: installing ${need[*]} (Debian)"
if [ "$(id -u)" -ne 0 ]; then
  echo "test tools: not root, cannot install ${need[*]}; the tests needing them will be skipped" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
