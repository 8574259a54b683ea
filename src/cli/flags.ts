/** The command-line flags, one per input of action.yml, grouped as `--help` lists them. */

/** One command-line flag standing for one input of action.yml (`--<input>`). */
export interface InputFlag {
  readonly input: string
  readonly description: string
  /** Placeholder shown in --help; absent for switches such as --publish. */
  readonly value?: string
  readonly group: string
}

const SOURCE = 'Source cluster:'
const DEST = 'Destination cluster:'
const WHAT = 'What to promote:'
const PUBLISH = 'Publishing:'
const RUN = 'Run:'
const ACCOUNTS = 'Accounts (--mode accounts):'

/**
 * Every input of action.yml but those in NOT_FLAGS. A unit test checks this
 * table against action.yml.
 */
export const INPUT_FLAGS: readonly InputFlag[] = [
  {
    input: 'source-cluster',
    value: 'domain',
    group: SOURCE,
    description:
      'source cluster domain, e.g. dev.algo.example.com (API at https://api.<domain>, git at https://git.<domain>); required unless both --source-api-url and --source-git-url are given'
  },
  {
    input: 'source-api-url',
    value: 'url',
    group: SOURCE,
    description: 'source API base URL override, without /v1, e.g. http://127.0.0.1:8080'
  },
  {
    input: 'source-git-url',
    value: 'url',
    group: SOURCE,
    description: 'source git base URL override; repositories live at <url>/git/<owner>/<name>.git'
  },
  {
    input: 'source-api-key-owner',
    value: 'owner',
    group: SOURCE,
    description: 'user or organization that owns the source API key (git user name)'
  },
  { input: 'source-algo-owner', value: 'owner', group: SOURCE, description: 'user or organization that owns the source algorithms' },
  {
    input: 'source-version',
    value: 'version',
    group: SOURCE,
    description:
      'what to promote: a published version (1.2.0) or a commit hash; omit for the latest commit of master (the branch clusters build)'
  },
  {
    input: 'source-versions',
    value: 'range',
    group: SOURCE,
    description:
      "replay published versions oldest first, each with the bump that produced it: 'all' or a semver range (>=1.0.0, 1.x); needs --publish; not with --source-version"
  },
  {
    input: 'dest-cluster',
    value: 'domain',
    group: DEST,
    description: 'destination cluster domain, e.g. prod.algo.example.com; required unless both --dest-api-url and --dest-git-url are given'
  },
  { input: 'dest-api-url', value: 'url', group: DEST, description: 'destination API base URL override, without /v1' },
  { input: 'dest-git-url', value: 'url', group: DEST, description: 'destination git base URL override' },
  { input: 'dest-api-key-owner', value: 'owner', group: DEST, description: 'user or organization that owns the destination API key' },
  {
    input: 'dest-algo-owner',
    value: 'owner',
    group: DEST,
    description:
      'user or organization that owns (or will own) the destination algorithms; on the source cluster it must differ from --source-algo-owner'
  },
  {
    input: 'destinations',
    value: 'json',
    group: DEST,
    description:
      'several destinations instead of the --dest-* flags: a JSON array of {"name", "cluster" or "api-url" + "git-url", "api-key-env" (an environment variable holding the key), "api-key-owner", "algo-owner"}'
  },
  {
    input: 'destination-filter',
    value: 'names',
    group: DEST,
    description: 'with --destinations, promote only to these destination names (comma-separated)'
  },
  {
    input: 'algorithms',
    value: 'names',
    group: WHAT,
    description:
      "algorithm names (as in their URLs) or glob patterns such as '*' or 'sentiment_*', separated by commas; the flag may be repeated"
  },
  {
    input: 'exclude-algorithms',
    value: 'patterns',
    group: WHAT,
    description: "names or glob patterns of algorithms to leave out, separated by commas; each must match one of the owner's algorithms"
  },
  {
    input: 'create-owner',
    group: DEST,
    description:
      'create a missing destination owner organization from the source owner organization before its algorithms (needs SOURCE_ADMIN_API_KEY and DEST_ADMIN_API_KEY)'
  },
  {
    input: 'accounts',
    value: 'names',
    group: ACCOUNTS,
    description: "with --mode accounts: users and organizations to copy, separated by commas, or '*' for all"
  },
  {
    input: 'settings',
    value: 'json',
    group: WHAT,
    description:
      'JSON object merged over the source settings when a destination algorithm is created (and, with --metadata sync, updated), e.g. \'{"license": "mit", "details": {"label": "Sentiment"}}\'; an algorithm_environment here replaces the mapped environment'
  },
  {
    input: 'metadata',
    value: 'mode',
    group: WHAT,
    description:
      "create: copy the source's details and settings only when creating a destination; sync: also update an existing destination's to the source's, sending nothing when they agree"
  },
  {
    input: 'commit-message',
    value: 'template',
    group: WHAT,
    description:
      'subject of the promotion commit; placeholders {algorithm}, {source-cluster}, {source-owner}, {source-version}, {source-commit}, {dest-cluster}, {dest-owner}'
  },
  {
    input: 'collections',
    value: 'names',
    group: WHAT,
    description:
      "hosted data collections of the source owner to promote (comma-separated; the flag may be repeated), or 'auto' for those the promoted code references as data://<source-algo-owner>/<collection>/… or data://.my/<collection>/…"
  },
  { input: 'collections-prune', group: WHAT, description: 'delete destination files that the source collection does not have' },
  {
    input: 'publish',
    group: PUBLISH,
    description: 'wait for the destination build of the promoted commit and publish a version (also an unchanged head never published)'
  },
  {
    input: 'version-type',
    value: 'type',
    group: PUBLISH,
    description:
      "version bump when publishing: major, minor or revision; or match: the source's version number when one bump from the destination's latest reaches it"
  },
  {
    input: 'release-notes',
    value: 'text',
    group: PUBLISH,
    description:
      "release notes for published versions (default names the source cluster, algorithm, version and commit, and quotes the source version's notes)"
  },
  {
    input: 'missing-secrets',
    value: 'fail|warn',
    group: PUBLISH,
    description: 'when the destination lacks a secret name the source algorithm has: fail (no publish) or warn; values are never read'
  },
  {
    input: 'dependencies',
    value: 'warn|require|promote|off',
    group: PUBLISH,
    description:
      'algorithms the promoted code calls (algo("owner/name/1.*")): warn when the destination cannot answer a call, require (no publish then), promote (the source owner\'s called algorithms too, dependencies first), or off'
  },
  {
    input: 'smoke-test',
    value: 'cases',
    group: PUBLISH,
    description:
      'call the destination build before publishing: a JSON list of {"input", "expected"?} cases, a path to a JSON file of them, or sample-input (compare with the source version on its sample input)'
  },
  {
    input: 'build-timeout',
    value: 'seconds',
    group: PUBLISH,
    description: 'seconds to wait for a destination build before failing'
  },
  { input: 'dry-run', group: RUN, description: 'make no API writes and push nothing; report what would happen' },
  {
    input: 'mode',
    value: 'mode',
    group: RUN,
    description:
      'promote; plan: only find which algorithms and destinations need promoting (writes nothing; the JSON gains a "matrix"); or accounts: copy users, organizations and memberships with the admin keys'
  },
  {
    input: 'version-map-file',
    value: 'path',
    group: RUN,
    description: "JSON version map to read, update with this run's promotions, and write back"
  },
  {
    input: 'concurrency',
    value: 'n',
    group: RUN,
    description: 'how many algorithms are promoted, and how many files of a data collection are copied, at the same time'
  },
  {
    input: 'max-attempts',
    value: 'n',
    group: RUN,
    description: 'attempts per API request or git transfer before giving up on transient failures'
  },
  {
    input: 'retry-delay',
    value: 'seconds',
    group: RUN,
    description: 'seconds before the first retry; doubles with each attempt'
  },
  {
    input: 'request-timeout',
    value: 'seconds',
    group: RUN,
    description: 'seconds one API request may take before it is abandoned and retried'
  }
]

/**
 * The inputs of action.yml that have no flag, and why. Credentials are never
 * flags: a process's arguments are visible to every other user of the machine.
 */
export const NOT_FLAGS: Readonly<Record<string, string>> = {
  'source-api-key': 'a key: set SOURCE_API_KEY (or SOURCE_ACCOUNT_API_KEY)',
  'dest-api-key': 'a key: set DEST_API_KEY (or DEST_ACCOUNT_API_KEY)',
  'source-admin-api-key': 'an admin key: set SOURCE_ADMIN_API_KEY',
  'dest-admin-api-key': 'an admin key: set DEST_ADMIN_API_KEY',
  'github-token': 'a credential, for the GitHub deployments and plan comments that only the action records',
  environment: 'names the GitHub environment of those deployments'
}
