/**
 * Gives git its credentials and settings through the environment
 * (GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n), so a key is never
 * in an argument list, a URL or a config file on disk.
 */
export interface GitCredential {
  /** Base URL the header is scoped to, so git never sends it to another host. */
  readonly gitUrl: string
  readonly username: string
  readonly apiKey: string
}

/** Settings every invocation gets: no prompts, no stored credentials, no background work. */
const BASE_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['credential.helper', ''],
  ['core.askPass', ''],
  ['protocol.version', '2'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['fetch.writeCommitGraph', 'false'],
  ['advice.detachedHead', 'false'],
  // A redirect would take the Authorization header (the key) to whatever host it names: refuse it, and say so.
  ['http.followRedirects', 'false'],
  // Abort a transfer that stalls (under 1 KB/s for a minute) instead of hanging the job.
  ['http.lowSpeedLimit', '1000'],
  ['http.lowSpeedTime', '60']
]

export function basicAuthorization(username: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${username}:${apiKey}`).toString('base64')}`
}

/**
 * NODE_EXTRA_CA_CERTS makes the API client trust a private CA; git gets the
 * same file, or it would refuse the very cluster the API calls just reached.
 * GIT_SSL_CAINFO, when set, is the user's explicit choice for git and wins.
 */
function certificateConfig(runner: NodeJS.ProcessEnv): Array<readonly [string, string]> {
  const extra = runner.NODE_EXTRA_CA_CERTS
  return extra && !runner.GIT_SSL_CAINFO ? [['http.sslCAInfo', extra]] : []
}

/**
 * `runnerNetwork` is the runner's own proxy and TLS settings (runner-config.ts).
 * Order matters, the last of a key wins: the runner's explicit git settings
 * over the CA taken from NODE_EXTRA_CA_CERTS, and our own settings over both.
 */
export function gitEnvironment(
  credential?: GitCredential,
  runner: Readonly<NodeJS.ProcessEnv> = {},
  runnerNetwork: ReadonlyArray<readonly [string, string]> = []
): NodeJS.ProcessEnv {
  const entries: Array<readonly [string, string]> = [...certificateConfig(runner), ...runnerNetwork, ...BASE_CONFIG]
  if (credential) {
    const scope = credential.gitUrl.endsWith('/') ? credential.gitUrl : `${credential.gitUrl}/`
    entries.push([`http.${scope}.extraHeader`, `Authorization: ${basicAuthorization(credential.username, credential.apiKey)}`])
  }
  const env: NodeJS.ProcessEnv = {
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    // The user's own git configuration (URL rewrites, credential helpers that store) stays out;
    // its network settings come back through runnerNetwork.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: String(entries.length)
  }
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key
    env[`GIT_CONFIG_VALUE_${index}`] = value
  })
  return env
}
