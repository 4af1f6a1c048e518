#!/usr/bin/env bash
# Installs Mesa's lavapipe (Vulkan on the CPU) so WebGPU (Dawn, npm `webgpu`) runs without a
# GPU. Debian 12's Mesa 22 is too old for Dawn; bookworm-backports has Mesa 25. Idempotent;
# needs root. .ci/run calls it; on a machine with a GPU driver it is not needed.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q libvulkan_lvp.so && [ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] \
   && dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -qE '^(2[4-9]|[3-9][0-9])\.'; then
  echo "lavapipe present: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
  exit 0
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
  src=/etc/apt/sources.list.d/bookworm-backports.sources
  if [ ! -e "$src" ]; then
    # Same mirror as the main Debian source.
    mirror=$(grep -hoE 'https?://[^ ]+/debian/?$' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null | head -1 || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" > "$src"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mesa-vulkan-drivers libvulkan1
fi
echo "installed: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
