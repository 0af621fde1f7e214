#!/usr/bin/env bash
# Install the operating-system programs PlanSiteOS uses, from Debian's packages, when missing:
#   tesseract-ocr            reads text that CAD plots draw as strokes (SHX fonts)
#   prometheus               promtool and the server, for the monitoring checks
#   prometheus-alertmanager  amtool, to check the Alertmanager config
# Usage: scripts/system-deps.sh [run|test]   ("test" adds the monitoring tools)
set -euo pipefail

want=(tesseract-ocr)
[[ "${1:-run}" == "test" ]] && want+=(prometheus prometheus-alertmanager)

missing=()
for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "system-deps: apt-get not found; install ${missing[*]} with your package manager" >&2
    exit 69
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "system-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
