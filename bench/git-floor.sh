#!/bin/bash
# The git floor: the least git work that puts the source's tree on the destination.
# A depth-1 clone of the source (bare: no working tree is written, as the action
# writes none either), one root commit of that tree, and a push of it into an
# empty repository. Every blob of the tree crosses the wire once each way; no
# history, no negotiation against existing objects.
#
# Inputs (environment): SOURCE_REPO_URL DEST_REPO_URL SOURCE_AUTH_HEADER DEST_AUTH_HEADER; run in an empty directory.
set -euo pipefail
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$SOURCE_AUTH_HEADER" git clone --quiet --bare --depth=1 --single-branch "$SOURCE_REPO_URL" floor.git
cd floor.git
commit=$(git commit-tree 'HEAD^{tree}' -m 'git floor')
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$DEST_AUTH_HEADER" git push --quiet "$DEST_REPO_URL" "${commit}:refs/heads/master"
