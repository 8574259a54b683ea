import { flattenRemoteText } from '../util/remote-text.js'
import { isTransientHttpStatus } from '../util/transient.js'
/** A git command that failed, with the remote it talked to and what git said (scrubbed). */
export class GitError extends Error {
  constructor(
    /** What we were doing: 'fetch', 'push', 'ls-remote', ... */
    readonly operation: string,
    /** Which repository, as `<cluster> <owner>/<name>`; never a URL with credentials. */
    readonly repository: string,
    readonly stderr: string,
    readonly exitCode: number,
    /** Set when the command was stopped for taking too long, with why that long is the limit. */
    readonly stopped?: { readonly afterMs: number; readonly limit: string }
  ) {
    super(
      stopped
        ? `git ${operation} ${repository} was stopped after ${Math.round(stopped.afterMs / 1000)} s (${stopped.limit}): the server sent too slowly to finish in time`
        : `git ${operation} ${repository} failed: ${summarize(stderr)}`
    )
    this.name = 'GitError'
  }

  /** The server answered with a redirect, which git was told not to follow (the key would go with it). */
  get redirected(): boolean {
    const status = this.httpStatus
    return status !== undefined && status >= 300 && status < 400
  }

  /**
   * HTTP status git reported, if any. A refused credential does not always
   * show as a status: with prompts disabled, git reports that it could not ask
   * for a user name instead, which means the server answered 401. That line is
   * only trusted when nothing says the connection itself failed: a push from a
   * partial store may first try (and fail) to fetch missing objects from
   * another host, and a dropped connection must still count as transient.
   */
  get httpStatus(): number | undefined {
    const match = /returned error: (\d{3})|RPC failed; HTTP (\d{3})/.exec(this.stderr)
    if (match) return Number(match[1] ?? match[2])
    if (NETWORK_FAILURE.test(this.stderr)) return undefined
    if (
      /Authentication failed for|could not read (Username|Password)|terminal prompts disabled|HTTP Basic: Access denied/i.test(this.stderr)
    )
      return 401
    if (/repository '[^']*' not found|Repository not found/i.test(this.stderr)) return 404
    return undefined
  }

  get transient(): boolean {
    // Retrying a transfer that ran out of time would only hold the run that much longer.
    if (this.stopped) return false
    const status = this.httpStatus
    if (status !== undefined) return isTransientHttpStatus(status)
    return NETWORK_FAILURE.test(this.stderr)
  }

  /**
   * Git refused a push because the branch moved on since it was read: someone
   * else pushed first, so rebuilding on the new head helps. Either git saw it
   * before sending (non-fast-forward), or the server did when it took the
   * branch's lock: another push updated it between our read and our update.
   * Any other `[remote rejected]` (a hook, a full disk, a lock file left
   * behind) is the server refusing, which a rebuild would only repeat.
   */
  get rejectedAsStale(): boolean {
    return STALE_PUSH.test(this.stderr) || (REF_UPDATE_FAILED.test(this.stderr) && LOST_REF_RACE.test(this.stderr))
  }

  /** What curl said about a certificate it refused (OpenSSL and GnuTLS builds word it differently). */
  get certificateProblem(): string | undefined {
    return CERTIFICATE_PROBLEM.exec(this.stderr)?.[0]
  }

  /** curl's words for a proxy that failed, rather than the server behind it. */
  get proxyProblem(): string | undefined {
    return PROXY_PROBLEM.exec(this.stderr)?.[0]
  }

  /**
   * The server answered but refused a ref update (a hook, a ref it does not
   * allow) or an atomic push; the branch alone may still go through.
   */
  get refusedRefOrAtomic(): boolean {
    return (
      this.httpStatus === undefined &&
      !this.transient &&
      /\[remote rejected\]|does not support --atomic|atomic push failed/i.test(this.stderr)
    )
  }

  /** The remote does not have a commit we asked for by hash. */
  get missingCommit(): string | undefined {
    return /not our ref ([0-9a-f]{7,40})|couldn't find remote ref ([0-9a-f]{7,40})/i.exec(this.stderr)?.slice(1).find(Boolean)
  }
}

/** git's lines for a push whose remote branch is ahead of (or diverged from) what we built on. */
const STALE_PUSH =
  /^\s*!\s*\[rejected\].*\((fetch first|non-fast-forward)\)\s*$|Updates were rejected because (the remote contains work|the tip of your current branch is behind|a pushed branch tip is behind)/m

/**
 * The server could not update a ref (in an atomic push, every ref is then
 * "atomic transaction failed"); LOST_REF_RACE says whether another push was the reason.
 */
const REF_UPDATE_FAILED = /\[remote rejected\].*\((failed to update ref|atomic transaction failed)\)/
/**
 * receive-pack's words when the branch changed under it. A lock file that
 * exists is not among them: it may be left over from a crash, and a rebuild
 * would only meet it again.
 */
const LOST_REF_RACE = /cannot lock ref '[^']*': (is at [0-9a-f]+ but expected [0-9a-f]+|reference already exists)/

const CERTIFICATE_PROBLEM =
  /SSL certificate problem: [^\n']*|server certificate verification failed[^\n']*|SSL: no alternative certificate subject name[^\n']*|certificate verify failed[^\n']*/i

const PROXY_PROBLEM =
  /Received HTTP code \d+ from proxy after CONNECT|CONNECT tunnel failed[^\n']*|Proxy CONNECT aborted[^\n']*|Could not resolve proxy[^\n']*|Unsupported proxy[^\n']*/i

/** What git (curl) says when a connection failed rather than being answered. */
const NETWORK_FAILURE =
  /Connection reset|Connection refused|RPC failed|early EOF|remote end hung up|timed out|Operation too slow|Empty reply|Failed to connect|Could not resolve host|transfer closed|unexpected disconnect|Recv failure|Send failure|SSL_ERROR_SYSCALL|GnuTLS recv error/i

/** Progress lines, which say nothing about why a command failed. */
const PROGRESS =
  /^(hint:|remote: (Counting|Compressing|Total|Enumerating|Resolving)|Receiving|Resolving|Enumerating|Counting|Compressing|Writing|Total)/

/** Most lines a server's own explanation (`remote:` lines, from a hook say) keeps in a message. */
const MAX_REMOTE_LINES = 20

/**
 * git's last lines, after the server's own words: a hook that refuses a push
 * explains why only in `remote:` lines, which git prints before its verdict.
 * Everything is flattened, since a server wrote it.
 */
function summarize(stderr: string): string {
  const lines = stderr
    .split(/\r\n|\r|\n/)
    .map(line => flattenRemoteText(line).trim())
    .filter(line => line && line !== 'remote:' && !PROGRESS.test(line))
  const remote = lines.filter(line => line.startsWith('remote:')).slice(0, MAX_REMOTE_LINES)
  const verdict = lines.filter(line => !line.startsWith('remote:')).slice(-3)
  return [...remote, ...verdict].join(' | ') || 'no message'
}
