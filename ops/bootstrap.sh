#!/usr/bin/env bash
# Installs every Debian package quorumclear needs to build, test and run.
# Idempotent: when everything is present it changes nothing and asks no
# mirror. Runs apt as root, or through sudo otherwise.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libpoco-dev libpqxx-dev libssl-dev prometheus-cpp-dev libsodium-dev libisal-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libfuzzer-14-dev libclang-rt-14-dev
  postgresql-15 postgresql-client-15 tzdata curl python3
  prometheus chromium chromium-driver
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
echo "bootstrap: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
# The Debian postgresql package may create its default cluster; we never use
# it (ops/pg.sh runs a private one under build/).
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
