#!/usr/bin/env bash
# Makes a fresh Debian 12 machine with Node 20 ready to run the app and its tests: installs the
# Debian packages that are missing (PostgreSQL 15, pgTAP and pg_prove, plpgsql_check for
# `supabase db lint`, Chromium and CJK fonts for the browser tests, poppler-utils for PDF checks),
# then runs `npm ci` when node_modules is missing or older than package-lock.json. Safe to run again: it does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || packages+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/pgtap.control ] || packages+=(postgresql-15-pgtap)
command -v pg_prove >/dev/null || packages+=(libtap-parser-sourcehandler-pgtap-perl)
[ -f /usr/share/postgresql/15/extension/plpgsql_check.control ] || packages+=(postgresql-15-plpgsql-check)
command -v chromium >/dev/null || packages+=(chromium)
# Chinese text in screenshots and printed certificates; pdftotext checks the printed PDFs.
[ -d /usr/share/fonts/opentype/noto ] || packages+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || packages+=(poppler-utils)

if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${packages[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The app runs its own throwaway clusters; Debian's default cluster would only sit on port 5432.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/volunteer-ledger.conf >/dev/null
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
