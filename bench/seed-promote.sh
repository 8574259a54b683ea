#!/bin/bash
# The steps of the widely shared Algorithmia migration shell script (its SETUP=true branch),
# adapted only to reach the emulator:
#  - URLs point at the emulated clusters instead of https://api.<domain> / https://git.<domain>;
#  - git gets its credentials from the environment (GIT_CONFIG_COUNT=1,
#    GIT_CONFIG_KEY_0=http.extraHeader, GIT_CONFIG_VALUE_0 set per command), never in a URL or argument;
#  - curl reads its Authorization header from stdin (-K -) for the same reason;
#  - `set -euo pipefail`, so a failed step fails the benchmark instead of being timed.
# Everything else is the seed's: create, clone dest, clone source (full history),
# move .git aside, cp -R source/* dest/, git add --all, commit, push.
#
# Inputs (environment): DEST_API_URL DEST_API_KEY DEST_ALGO_OWNER ALGO_NAME
#   SOURCE_REPO_URL DEST_REPO_URL SOURCE_AUTH_HEADER DEST_AUTH_HEADER; run in an empty directory.
set -euo pipefail

printf 'header = "Authorization: Simple %s"\n' "$DEST_API_KEY" | curl -s -o /dev/null -K - \
  "${DEST_API_URL}/v1/algorithms/${DEST_ALGO_OWNER}" \
  -X POST \
  -H 'Content-Type: application/json' \
  -d '{ "details": { "label": "'${ALGO_NAME}'" }, "name": "'${ALGO_NAME}'", "settings": { "environment": "cpu", "language": "python3-1", "license": "apl", "network_access": "full", "pipeline_enabled": true, "source_visibility": "closed" } }'

MIGRATION_DIR="migrate_${ALGO_NAME}"
SOURCE_DIR="source_dir"
DEST_DIR="dest_dir"
rm -rf $MIGRATION_DIR
mkdir $MIGRATION_DIR
cd $MIGRATION_DIR

GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$DEST_AUTH_HEADER" git clone "$DEST_REPO_URL" $DEST_DIR
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$SOURCE_AUTH_HEADER" git clone "$SOURCE_REPO_URL" $SOURCE_DIR

mkdir temp
mv ${SOURCE_DIR}/.git temp/
cp -R ${SOURCE_DIR}/* ${DEST_DIR}/
mv temp/.git ${SOURCE_DIR}/
rmdir temp

cd $DEST_DIR
git add --all
git commit -m "new version of ${ALGO_NAME}"
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$DEST_AUTH_HEADER" git push
