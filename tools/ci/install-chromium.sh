#!/usr/bin/env bash
# Installs Debian's Chromium for apps/web's browser tests (playwright-core
# drives /usr/bin/chromium; playwright's own browser downloads do not run
# here). Headless, it renders WebGL on ANGLE's SwiftShader, a software GPU
# inside Chromium, so no GPU or driver is needed. Idempotent; needs root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium > /dev/null; then
  apt-get update -qq || true
  apt-get install -y -qq chromium > /dev/null
fi
echo "chromium: $(dpkg-query -W -f '${Package} ${Version}' chromium)"
