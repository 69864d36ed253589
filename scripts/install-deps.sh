#!/usr/bin/env bash
# Installs the system packages olke needs on Debian or Ubuntu, only those missing.
#   scripts/install-deps.sh          build and run: Tesseract (kaz, rus, eng, osd), its
#                                    headers, clang, pkg-config, poppler-utils, qpdf, fonts;
#                                    Node.js and npm, and web/'s npm packages (`npm ci`:
#                                    OpenSeadragon, which the build embeds; axe-core for the
#                                    tests), pinned by web/package-lock.json
#   scripts/install-deps.sh --test   also what the test suite uses (pymarc reads the MARC
#                                    export back, MARC::Lint checks it, xmllint validates
#                                    ALTO, METS and MARCXML, html5lib validates the published
#                                    site, headless Chromium and chromedriver walk it, Sickle
#                                    harvests /oai, iiif-validator and iiif-prezi3 check
#                                    IIIF, libmagic for the validator; bibtexparser reads
#                                    the BibTeX citations back; Slurm and munge run
#                                    tests/cluster.rs's one-node cluster; OCRmyPDF 17 with
#                                    Ghostscript, pikepdf and fontTools, in the virtual
#                                    environment /opt/olke-venv, for the PDF/A tests)
#   scripts/install-deps.sh --bench  also the comparison tools for `make bench`, the
#                                    Cyrillic script model the Komi pages are read with, and
#                                    the typefaces our own held-back pages are set in
# Run as root or with passwordless sudo; otherwise it prints the exact command to run.
set -euo pipefail

packages=(
  tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-osd
  libtesseract-dev libleptonica-dev clang libclang-dev pkg-config
  poppler-utils qpdf fonts-dejavu-core
)
# A Node.js from elsewhere (NodeSource's bundles npm) is taken as it is.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
python_packages=()
venv_packages=()
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(python3 python3-pip python3-venv chromium chromium-driver ghostscript libmagic1
        libxml2-utils libmarc-lint-perl slurmctld slurmd slurm-client munge)
      python_packages+=(pymarc html5lib sickle iiif_validator iiif_prezi3 bibtexparser)
      venv_packages+=("ocrmypdf>=17,<18" fonttools) ;;
    --bench) packages+=(ocrmypdf unpaper python3 python3-pip python3-venv ghostscript time wrk tesseract-ocr-script-cyrl
        fonts-paratype fonts-liberation2 fonts-urw-base35 fonts-linuxlibertine fonts-cmu)
      python_packages+=(rapidfuzz); venv_packages+=("ocrmypdf>=17,<18") ;;
    *) echo "usage: $0 [--test] [--bench]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    echo "olke needs these system packages; install them as root with:" >&2
    echo "  $command" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "Installing failed; run as root:" >&2
    echo "  $command" >&2
    exit 1
  fi
fi

for p in "${python_packages[@]}"; do
  python3 -c "import $p" 2>/dev/null || python3 -m pip install --quiet "$p" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "$p"
done

# PyPI tools whose versions matter (OCRmyPDF 17, not Debian's 14) live in their own
# environment, apart from the system's Python.
if [ ${#venv_packages[@]} -gt 0 ]; then
  venv=/opt/olke-venv
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -c "import ocrmypdf, fontTools, pikepdf" 2>/dev/null \
    || "$venv/bin/pip" install --quiet "${venv_packages[@]}"
fi

# The web assets, as the lock file pins them; again only when the lock changed since.
web="$(dirname "$0")/../web"
if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "olke is written in Rust and needs cargo 1.88 or newer: https://rustup.rs" >&2
  exit 1
fi
