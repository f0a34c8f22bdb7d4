#!/usr/bin/env bash
# Installs a Vulkan driver that Dawn (npm `webgpu`) accepts, so the webgpu test
# suite runs on a machine without a GPU: Mesa's lavapipe, a software Vulkan
# device. Debian bookworm's own mesa-vulkan-drivers (22.3) is too old for Dawn
# (no adapter: "shaderUniform*ArrayDynamicIndexing required"); bookworm-backports
# has 25.x. Later Debian releases ship a new enough one. Idempotent; needs root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ "$codename" = "bookworm" ]; then
  list=/etc/apt/sources.list.d/bookworm-backports.sources
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # The same mirror and keyring as the machine's main Debian entry.
    mirror=$(grep -hs "^URIs:" /etc/apt/sources.list.d/debian.sources | grep -v security | head -1 | awk '{print $2}')
    mirror=${mirror:-http://deb.debian.org/debian}
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" > "$list"
  fi
  apt-get update -qq || true
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers > /dev/null
else
  apt-get update -qq || true
  apt-get install -y -qq mesa-vulkan-drivers > /dev/null
fi
echo "vulkan: $(dpkg-query -W -f '${Package} ${Version}' mesa-vulkan-drivers)"
