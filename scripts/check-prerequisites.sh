#!/usr/bin/env bash
# Checks (and on Debian, installs) what the project needs besides npm packages: git with http-backend.
set -euo pipefail

need_git=false
if ! command -v git >/dev/null 2>&1; then
  need_git=true
else
  # Git for Windows names it git-http-backend.exe.
  exec_path="$(git --exec-path)"
  if [ ! -x "$exec_path/git-http-backend" ] && [ ! -x "$exec_path/git-http-backend.exe" ]; then
    need_git=true
  fi
fi

if $need_git; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing git (the emulated clusters serve repositories with git http-backend)..."
    apt-get update -qq && apt-get install -y -qq git >/dev/null
  else
    echo "git 2.36 or newer (with git-http-backend) is required: install it with your package manager." >&2
    exit 1
  fi
fi

version=$(git --version | sed -E 's/^git version ([0-9]+)\.([0-9]+).*/\1 \2/')
read -r major minor <<<"$version"
# 2.36: ls-tree --format; 2.32: GIT_CONFIG_GLOBAL; 2.31: GIT_CONFIG_COUNT (src/git/git-version.ts checks the same at run time).
if [ "$major" -lt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -lt 36 ]; }; then
  echo "git $major.$minor is too old: version 2.36 or newer is required (ls-tree --format came in 2.36, GIT_CONFIG_GLOBAL in 2.32, GIT_CONFIG_COUNT in 2.31); install a newer git." >&2
  exit 1
fi
# 20.5: the oldest Node.js every bundled package supports (package.json's engines; npm run build checks it).
node -e 'const [major, minor] = process.versions.node.split(".").map(Number); if (major < 20 || (major === 20 && minor < 5)) { console.error(`Node.js ${process.versions.node} is too old: use Node.js 20.5 or newer.`); process.exit(1) }'

# openssl makes the throwaway certificate authority of the TLS tests.
command -v openssl >/dev/null 2>&1 || echo "openssl is not installed: the TLS tests will be skipped." >&2
