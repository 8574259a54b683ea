import os from 'node:os'
import { inheritedEnvironment, runGit } from './git-command.js'

/**
 * The runner's own network settings for git, read from its system and global
 * configuration. Every git process runs with that configuration switched off
 * (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null), because it may hold
 * credential helpers that store a key, `url.*.insteadOf` rewrites and
 * `http.extraHeader`s that send one elsewhere, hooks and aliases. What a
 * self-hosted runner needs to reach a cluster at all (its proxy, its CA, its
 * TLS backend) is then passed back, and only that: the keys below, also in
 * their URL-scoped form `http.<url>.<key>`.
 */
const NETWORK_KEYS = new Set([
  ...['proxy', 'proxyauthmethod', 'proxysslcert', 'proxysslkey', 'proxysslcertpasswordprotected', 'proxysslcainfo'],
  ...['sslcainfo', 'sslcapath', 'sslbackend', 'sslversion', 'sslcipherlist', 'sslcert', 'sslkey', 'sslcertpasswordprotected'],
  ...['schannelcheckrevoke', 'schannelusesslcainfo', 'version', 'pinnedpubkey']
])

/** Where a git runs the user's configuration from; the rest of the environment is the usual allowlist. */
const CONFIG_LOCATION_VARIABLES = ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG_NOSYSTEM', 'XDG_CONFIG_HOME']

export type ConfigEntry = readonly [key: string, value: string]

/** Read once per run (RunnerGit.networkConfig): the configuration does not change while we run. */
export async function readRunnerNetworkConfig(runner: Readonly<NodeJS.ProcessEnv>): Promise<ConfigEntry[]> {
  const env: NodeJS.ProcessEnv = { GIT_CONFIG_COUNT: '0' }
  for (const name of CONFIG_LOCATION_VARIABLES) if (runner[name] !== undefined) env[name] = runner[name]
  const result = await runGit({
    args: ['config', '--show-scope', '-z', '--get-regexp', '^http\\.'],
    cwd: os.tmpdir(),
    inherited: inheritedEnvironment(runner),
    env
  })
  // 1: no such key. Anything else (a broken config file) leaves the settings out, as before.
  if (result.exitCode !== 0) return []
  return networkEntries(result.stdout)
}

/** `git config --show-scope -z --get-regexp` prints `scope NUL key LF value NUL` per entry. */
export function networkEntries(output: string): ConfigEntry[] {
  const fields = output.split('\0')
  const entries: ConfigEntry[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i]
    const newline = fields[i + 1].indexOf('\n')
    const key = newline === -1 ? fields[i + 1] : fields[i + 1].slice(0, newline)
    const value = newline === -1 ? 'true' : fields[i + 1].slice(newline + 1)
    if ((scope === 'system' || scope === 'global') && NETWORK_KEYS.has(variableOf(key))) entries.push([key, value])
  }
  return entries
}

/** `http.proxy` and `http.https://host/.proxy` both end in their variable name. */
function variableOf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1).toLowerCase()
}

/**
 * Environment variables by which git (curl) reaches servers its own way: a
 * direct request would not honour them, so their presence leaves listing to git.
 */
const GIT_NETWORK_VARIABLES = [
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_SSL_NO_VERIFY',
  'GIT_SSL_CERT',
  'GIT_SSL_KEY',
  'GIT_SSL_VERSION',
  'GIT_SSL_CIPHER_LIST',
  'GIT_HTTP_PROXY_AUTHMETHOD',
  'GIT_PROXY_SSL_CAINFO',
  'GIT_PROXY_SSL_CERT',
  'GIT_PROXY_SSL_KEY',
  'GIT_CURL_VERBOSE',
  'GIT_TRACE_CURL',
  // Read by the tool's transport and not by curl: a listing with them would not go where git goes.
  'npm_config_proxy',
  'npm_config_https_proxy',
  'npm_config_http_proxy'
]

/**
 * Whether git would reach a server differently from the tool's transport: the
 * runner's git configuration names a proxy or TLS setting of its own
 * (runner-config.ts), or the environment does.
 */
export function gitHasOwnNetworkSettings(env: Readonly<NodeJS.ProcessEnv>, runnerNetwork: readonly (readonly [string, string])[]): boolean {
  // Node would skip the certificate checks git still makes.
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') return true
  return runnerNetwork.length > 0 || GIT_NETWORK_VARIABLES.some(name => env[name] !== undefined && env[name] !== '')
}
