#!/bin/bash
# The floor procedure for a change: the least git work that puts the source's
# new tree on a destination that already has code. Depth-1 fetches of both
# heads (plain git: whatever the server sends), one commit of the source tree
# on top of the destination head, and a push of it.
#
# Inputs (environment): SOURCE_REPO_URL DEST_REPO_URL SOURCE_AUTH_HEADER DEST_AUTH_HEADER; run in an empty directory.
set -euo pipefail
git init --quiet --bare change.git
cd change.git
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$SOURCE_AUTH_HEADER" git fetch --quiet --no-tags --depth=1 "$SOURCE_REPO_URL" HEAD
source_commit=$(git rev-parse FETCH_HEAD)
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$DEST_AUTH_HEADER" git fetch --quiet --no-tags --depth=1 "$DEST_REPO_URL" HEAD
dest_commit=$(git rev-parse FETCH_HEAD)
commit=$(git commit-tree "${source_commit}^{tree}" -p "$dest_commit" -m 'floor procedure')
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$DEST_AUTH_HEADER" git push --quiet "$DEST_REPO_URL" "${commit}:refs/heads/master"
