import { basicAuthorization } from './git-auth.js'
import type { RemoteRepository } from './remote.js'
import type { RunnerGit } from './runner-git.js'
import { discardBody, readCapped } from '../http/body.js'
import { transportFetch } from '../http/transport.js'
import { OBJECT_ID_PATTERN } from '../core/rules.js'

/**
 * What a git server lists before any transfer (smart HTTP, protocol v0): every
 * ref with its commit, where HEAD points, and the server's capabilities. The
 * same facts `git ls-remote --symref` prints.
 */
export interface RefAdvertisement {
  /** Ref name → object id, HEAD included when it points at a commit. */
  readonly refs: ReadonlyMap<string, string>
  /** Symbolic refs the server names, e.g. HEAD → refs/heads/master. */
  readonly symrefs: ReadonlyMap<string, string>
  readonly capabilities: readonly string[]
}

/** Far more than the refs of any algorithm's repository; a larger answer is left to git. */
const MAX_ADVERTISEMENT_BYTES = 8 * 1024 * 1024

const ADVERTISEMENT_TYPE = 'application/x-git-upload-pack-advertisement'

/**
 * Reads a repository's ref advertisement with one HTTP request through the
 * tool's own transport, instead of starting a git process for it: a run over
 * hundreds of algorithms lists two repositories each, and a process start
 * costs more than the request. Only the plain case is taken: anything else (a
 * redirect, an error status, another protocol, a network or certificate
 * failure, a malformed answer) gives undefined, and the caller runs
 * `git ls-remote`, whose errors are worded and handled in one place.
 */
export async function readRefAdvertisement(remote: RemoteRepository, timeoutMs: number): Promise<RefAdvertisement | undefined> {
  const { username, apiKey } = remote.credential
  try {
    const response = await transportFetch(`${remote.url}/info/refs?service=git-upload-pack`, {
      // Git's user agent: some smart-HTTP servers answer anything else as a browser.
      headers: { Authorization: basicAuthorization(username, apiKey), 'User-Agent': 'git/2 (algorithmia-promote)' },
      // A redirect would take the key to wherever it points; git refuses it too (see git-auth.ts).
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs)
    })
    if (response.status !== 200 || !response.headers.get('content-type')?.startsWith(ADVERTISEMENT_TYPE)) {
      discardBody(response)
      return undefined
    }
    const body = await readCapped(response, MAX_ADVERTISEMENT_BYTES)
    return body === undefined ? undefined : parseRefAdvertisement(body)
  } catch {
    return undefined
  }
}

/**
 * The refs, read without git where git would reach the server the same way
 * (see gitHasOwnNetworkSettings), else undefined: the caller asks git.
 */
export async function readRefsDirectly(
  remote: RemoteRepository,
  timeoutMs: number,
  runner: RunnerGit
): Promise<RefAdvertisement | undefined> {
  if (await runner.hasOwnNetworkSettings()) return undefined
  return readRefAdvertisement(remote, timeoutMs)
}

/** The service announcement that opens a smart HTTP advertisement. */
const SERVICE_LINE = '# service=git-upload-pack'

/**
 * Parses the pkt-lines of a protocol v0 advertisement: the service line and a
 * flush, then one line per ref, the first carrying the capabilities after a
 * NUL (an empty repository lists `capabilities^{}` in its place), then a
 * flush. Undefined for anything else.
 */
export function parseRefAdvertisement(body: string): RefAdvertisement | undefined {
  const lines = pktLines(body)
  if (!lines || lines[0] !== SERVICE_LINE || lines[1] !== null || lines.at(-1) !== null) return undefined
  const refs = new Map<string, string>()
  let capabilities: string[] = []
  for (const [index, line] of lines.slice(2, -1).entries()) {
    if (line === null) return undefined
    const [refPart, capabilityPart] = index === 0 ? splitOnce(line, '\0') : [line, undefined]
    if (capabilityPart !== undefined) capabilities = capabilityPart.split(' ').filter(Boolean)
    const [id, name] = splitOnce(refPart, ' ')
    if (!OBJECT_ID_PATTERN.test(id) || !name) return undefined
    // Peeled tags, and the `capabilities^{}` an empty repository lists, name no ref of their own.
    if (!name.endsWith('^{}')) refs.set(name, id)
  }
  const symrefs = new Map<string, string>()
  for (const capability of capabilities) {
    const symref = /^symref=([^:]+):(.+)$/.exec(capability)
    if (symref) symrefs.set(symref[1], symref[2])
  }
  return { refs, symrefs, capabilities }
}

/** pkt-line payloads without their trailing newline; null for a flush-pkt; undefined when the framing is broken. */
function pktLines(body: string): Array<string | null> | undefined {
  const lines: Array<string | null> = []
  const bytes = Buffer.from(body, 'utf8')
  let offset = 0
  while (offset < bytes.length) {
    const header = bytes.subarray(offset, offset + 4).toString('ascii')
    if (!/^[0-9a-f]{4}$/.test(header)) return undefined
    const length = Number.parseInt(header, 16)
    if (length === 0) {
      lines.push(null)
      offset += 4
      continue
    }
    if (length < 4 || offset + length > bytes.length) return undefined
    const payload = bytes.subarray(offset + 4, offset + length).toString('utf8')
    lines.push(payload.endsWith('\n') ? payload.slice(0, -1) : payload)
    offset += length
  }
  return lines
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator)
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)]
}
