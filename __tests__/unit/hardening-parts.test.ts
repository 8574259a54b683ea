/**
 * Second-pass hardening, part by part: listings that must be whole, upload
 * bodies held to their declared length, glob matching without backtracking,
 * bounded environment listings, smoke-test files behind links, settings a
 * source leaves out, and accounts that only share a name.
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { sameOrganization, sameUser } from '../../src/accounts/copy.js'
import { AlgorithmiaApi } from '../../src/cluster/api.js'
import type { ClusterHttp } from '../../src/cluster/http.js'
import { IncompleteListingError, ListingGuard } from '../../src/cluster/listing.js'
import { allPagesOrList } from '../../src/cluster/paging.js'
import { RuntimeApi } from '../../src/cluster/runtime-api.js'
import { planCollection, unsafeFileName } from '../../src/data/collection-plan.js'
import { DataApi, MAX_FOLDER_DEPTH } from '../../src/data/data-api.js'
import { parseRecord, serializeRecord } from '../../src/data/record.js'
import { BodyLengthError, exactLength } from '../../src/http/body.js'
import { InputContext } from '../../src/inputs/reader.js'
import { smokeTest } from '../../src/inputs/runtime-inputs.js'
import { refuseUnverifiedTls } from '../../src/inputs/environment-checks.js'
import { desiredMetadata } from '../../src/promotion/destination.js'
import { describeChange, metadataChanges } from '../../src/promotion/metadata-sync.js'
import { matches } from '../../src/selection/algorithm-patterns.js'
import type { Algorithm } from '../../src/cluster/types.js'

const SOURCE = { cluster: 'dev', path: '/users', what: 'the users' }

/** A ClusterHttp that answers GETs from `answer(path)`, counting requests and the most in flight at once. */
function fakeHttp(answer: (path: string) => unknown, delayMs = 0) {
  const stats = { requests: 0, inFlight: 0, mostInFlight: 0 }
  const http = {
    request: async ({ path }: { path: string }) => {
      stats.requests++
      stats.inFlight++
      stats.mostInFlight = Math.max(stats.mostInFlight, stats.inFlight)
      await new Promise(resolve => setTimeout(resolve, delayMs))
      stats.inFlight--
      return answer(path)
    }
  } as unknown as ClusterHttp
  return { http, stats }
}

describe('listings are whole or an error', () => {
  it('a marker that comes back fails, naming the listing', () => {
    const guard = new ListingGuard<string>(SOURCE, { maxPages: 10, maxEntries: 100 })
    expect(guard.page(['a'], 'm1')).toBe('m1')
    expect(() => guard.page(['b'], 'm1')).toThrow(/the users cannot be trusted to be whole: the marker "m1" came back on page 2/)
  })

  it('an entry listed twice fails', () => {
    const guard = new ListingGuard<string>(SOURCE, { maxPages: 10, maxEntries: 100 }, name => name)
    guard.page(['alice', 'bob'], 'm1')
    expect(() => guard.page(['bob'], 'm2')).toThrow(/"bob" is listed twice/)
  })

  it('reaching the page cap with more to come fails; ending on the last allowed page does not', () => {
    const guard = new ListingGuard<string>(SOURCE, { maxPages: 2, maxEntries: 100 })
    guard.page(['a'], 'm1')
    expect(() => guard.page(['b'], 'm2')).toThrow(IncompleteListingError)
    const whole = new ListingGuard<string>(SOURCE, { maxPages: 2, maxEntries: 100 })
    whole.page(['a'], 'm1')
    expect(whole.page(['b'], undefined)).toBeUndefined()
  })

  it('passing the entry cap fails, however the pages are cut', () => {
    const guard = new ListingGuard<number>(SOURCE, { maxPages: 10, maxEntries: 5 })
    expect(() => guard.page([1, 2, 3, 4, 5, 6], undefined)).toThrow(/passed 5 entries/)
  })

  it('5,101 users in pages of 50 are all listed (no silent end at 5,000)', async () => {
    const users = Array.from({ length: 5101 }, (_, index) => ({ username: `user${index}` }))
    const { http } = fakeHttp(requestPath => {
      const marker = Number(new URL(requestPath, 'http://x').searchParams.get('marker') ?? 0)
      const next = marker + 50
      return { results: users.slice(marker, next), marker: next < users.length ? String(next) : null }
    })
    const listed = await allPagesOrList(http, 'dev', {
      path: '/users',
      what: 'the users',
      readItem: item => item as { username: string },
      keyOf: user => user.username
    })
    expect(listed).toHaveLength(5101)
  })

  it('versions: a published number listed twice fails; unpublished builds of one commit do not', async () => {
    const hash = 'a'.repeat(40)
    const twice = (semantic?: string) => ({
      results: [1, 2].map(() => ({ version_info: { git_hash: hash, ...(semantic ? { semantic_version: semantic } : {}) } }))
    })
    const published = fakeHttp(() => twice('1.0.0')).http
    await expect(new AlgorithmiaApi('dev', published).listVersions('team', 'hello', { published: true })).rejects.toThrow(
      /"1.0.0" is listed twice/
    )
    const builds = fakeHttp(() => twice()).http
    expect(await new AlgorithmiaApi('dev', builds).listVersions('team', 'hello')).toHaveLength(2)
  })

  it('an empty page that still carries a marker is followed, not taken for the end', async () => {
    const pages: Record<string, unknown> = {
      '': { results: [{ username: 'a' }], marker: 'm1' },
      m1: { results: [], marker: 'm2' },
      m2: { results: [{ username: 'b' }] }
    }
    const { http } = fakeHttp(requestPath => pages[new URL(requestPath, 'http://x').searchParams.get('marker') ?? ''])
    const listed = await allPagesOrList(http, 'dev', { path: '/users', what: 'the users', readItem: item => item as { username: string } })
    expect(listed.map(user => user.username)).toEqual(['a', 'b'])
  })
})

describe('sub-folders of a collection', () => {
  it('are listed recursively, each file by its path below the collection', async () => {
    const folders: Record<string, unknown> = {
      '/connector/data/team/models': { files: [{ filename: 'a.bin', size: 1, last_modified: 't' }], folders: [{ name: 'v2' }] },
      '/connector/data/team/models/v2': { files: [{ filename: 'w.bin', size: 2, last_modified: 't' }] }
    }
    const { http } = fakeHttp(requestPath => folders[requestPath.split('?')[0]])
    const listing = await new DataApi('dev', http).listCollection('team', 'models')
    expect(listing?.files.map(file => file.filename)).toEqual(['a.bin', 'v2/w.bin'])
    expect(listing?.folders).toEqual(['v2'])
  })

  it('a folder that holds itself forever fails at the depth bound instead of looping', async () => {
    const { http, stats } = fakeHttp(() => ({ folders: [{ name: 'again' }] }))
    await expect(new DataApi('dev', http).listCollection('team', 'models')).rejects.toThrow(
      new RegExp(`cannot be trusted to be whole: its folders nest deeper than ${MAX_FOLDER_DEPTH}`)
    )
    expect(stats.requests).toBe(MAX_FOLDER_DEPTH + 1)
  })

  it('a folder named .. is not followed', async () => {
    const { http } = fakeHttp(() => ({ folders: [{ name: '..' }] }))
    await expect(new DataApi('dev', http).listCollection('team', 'models')).rejects.toThrow(/folders\[0\] is .*not a folder name/)
  })
})

describe('an upload body is held to its declared length', () => {
  async function send(chunks: string[], size: number): Promise<{ sent: string; error?: Error }> {
    let sent = ''
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        sent += chunk.toString()
        done()
      }
    })
    try {
      await pipeline(
        Readable.from(chunks.map(chunk => Buffer.from(chunk))),
        exactLength(size, () => {}),
        sink
      )
      return { sent }
    } catch (error) {
      return { sent, error: error as Error }
    }
  }

  it('passes a body of exactly the declared length', async () => {
    expect(await send(['ab', 'c'], 3)).toEqual({ sent: 'abc' })
    expect(await send([], 0)).toEqual({ sent: '' })
  })

  it('a longer body fails before its declared length is complete: the receiver never has a whole body', async () => {
    const longer = await send(['abc', 'DELETE /x HTTP/1.1'], 3)
    expect(longer.error).toBeInstanceOf(BodyLengthError)
    expect(longer.sent).toBe('')
    const inOneChunk = await send(['abcdef'], 3)
    expect(inOneChunk.sent).toBe('')
    expect(inOneChunk.error?.message).toMatch(/longer than the 3 bytes declared/)
  })

  it('a shorter body fails without its last bytes', async () => {
    const shorter = await send(['ab'], 3)
    expect(shorter.error?.message).toMatch(/ended after 2 of the 3 bytes/)
  })
})

describe('glob patterns match in linear time', () => {
  it('a pattern that backtracks exponentially as a regular expression answers at once', () => {
    const started = performance.now()
    for (const name of ['a'.repeat(40), `${'a'.repeat(39)}c`, 'b'.repeat(40)]) {
      expect(matches('*a*a*a*a*a*a*a*a*b', name)).toBe(false)
      expect(matches('*a*a*a*a*a*a*a*a*a*a*a*', name)).toBe(name.startsWith('a'))
    }
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('keeps the meaning of * and ?', () => {
    expect(matches('a*b?d', 'axxbcd')).toBe(true)
    expect(matches('a*b?d', 'axxbd')).toBe(false)
    expect(matches('*_v?', 'model_v2')).toBe(true)
    expect(matches('**', '')).toBe(true)
    expect(matches('?', '')).toBe(false)
  })
})

describe('environment listings are bounded by concurrency', () => {
  it('5,000 languages never have more than `concurrency` requests in flight', async () => {
    const languages = Array.from({ length: 5000 }, (_, index) => `lang${index}`)
    const { http, stats } = fakeHttp(requestPath => (requestPath.endsWith('/languages') ? languages : { environments: [] }))
    await new RuntimeApi('dev', http, 4).allEnvironments()
    expect(stats.requests).toBe(5001)
    expect(stats.mostInFlight).toBeLessThanOrEqual(4)
  })
})

describe('data collection plans', () => {
  it('refuses names that collapse or change in a URL, one by one, and never prunes them', () => {
    expect(unsafeFileName('.')).toMatch(/a folder, the collection or its owner/)
    expect(unsafeFileName('..')).toMatch(/a folder, the collection or its owner/)
    expect(unsafeFileName('a//b')).toMatch(/another path/)
    expect(unsafeFileName('v2/../../other')).toMatch(/collection or its owner/)
    expect(unsafeFileName('v2/weights.bin')).toBeUndefined()
    expect(unsafeFileName('\ud800')).toMatch(/does not survive URL encoding/)
    expect(unsafeFileName('weights v2 (final).bin')).toBeUndefined()
    const file = (filename: string) => ({ filename, size: 1, last_modified: 't' })
    const plan = planCollection({ files: [file('..'), file('ok')] }, { files: [file('.')] }, parseRecord(undefined, 's'), true)
    expect(plan.copy.map(entry => entry.file.filename)).toEqual(['ok'])
    expect(plan.prune).toEqual([])
    expect(plan.refused.map(entry => entry.file)).toEqual(['..', '.'])
  })

  it('records a file named __proto__ like any other', () => {
    const entry = { size: 1, sourceLastModified: 't', sha256: 'x', destLastModified: 'u' }
    const files = Object.create(null) as Record<string, typeof entry>
    files.__proto__ = entry
    const read = parseRecord(serializeRecord({ source: 's', files }), 's')
    expect(Object.keys(read.files)).toEqual(['__proto__'])
  })
})

describe('smoke-test files', () => {
  const dirs: string[] = []
  afterEach(async () => Promise.all(dirs.splice(0).map(dir => rm(dir, { recursive: true, force: true }))))

  it('a link out of the workspace is refused, and a non-JSON file is never quoted', async () => {
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'promote-ws-'))
    const outside = await mkdtemp(path.join(os.tmpdir(), 'promote-out-'))
    dirs.push(workspace, outside)
    await writeFile(path.join(outside, 'secret.txt'), 'root:x:0:0:very private')
    await symlink(path.join(outside, 'secret.txt'), path.join(workspace, 'smoke.json'))
    await writeFile(path.join(workspace, 'bad.json'), 'root:x:0:0:very private')
    const parse = (value: string) => {
      const inputs = new InputContext(name => (name === 'smoke-test' ? value : ''), { GITHUB_WORKSPACE: workspace })
      smokeTest(inputs)
      return inputs.problems.map(problem => problem.message).join('\n')
    }
    expect(parse('smoke.json')).toMatch(/outside the workspace .*or a link to one/)
    const bad = parse('bad.json')
    expect(bad).toMatch(/is not valid JSON/)
    expect(bad).not.toContain('root:x')
  })
})

describe('the runner environment', () => {
  it('NODE_TLS_REJECT_UNAUTHORIZED=0 is a problem naming the variable; other values are not', () => {
    const problems = (value: string | undefined) => {
      const inputs = new InputContext(() => '', { NODE_TLS_REJECT_UNAUTHORIZED: value })
      refuseUnverifiedTls(inputs)
      return inputs.problems
    }
    expect(problems('0')).toEqual([{ input: 'NODE_TLS_REJECT_UNAUTHORIZED', message: expect.stringMatching(/NODE_EXTRA_CA_CERTS/) }])
    expect(problems('1')).toEqual([])
    expect(problems(undefined)).toEqual([])
  })
})

describe('metadata sync', () => {
  const algorithm = (settings: Record<string, unknown>): Algorithm =>
    ({ name: 'hello', details: { label: 'hello' }, settings }) as unknown as Algorithm

  it('desires no setting the source does not report', () => {
    const desired = desiredMetadata('hello', algorithm({ license: 'mit' }), { details: {}, settings: {} }, undefined)
    expect(desired.settings).toEqual({ license: 'mit' })
    const current = algorithm({ license: 'mit', network_access: 'isolated', pipeline_enabled: false })
    expect(metadataChanges(current, desired)).toEqual([])
  })

  it('marks changes that widen access', () => {
    const changes = metadataChanges(algorithm({ network_access: 'isolated', source_visibility: 'open' }), {
      details: {},
      settings: { network_access: 'full', source_visibility: 'closed' }
    })
    expect(changes.map(describeChange)).toEqual([
      'settings.network_access: "isolated" → "full" (widens access)',
      'settings.source_visibility: "open" → "closed"'
    ])
  })
})

describe('accounts are matched by more than their name', () => {
  it('users by email, case aside', () => {
    expect(sameUser({ username: 'bob', email: 'Bob@Example.com' }, { username: 'bob', email: 'bob@example.com' })).toBe(true)
    expect(sameUser({ username: 'bob', email: 'bob@example.com' }, { username: 'bob', email: 'bob@other.org' })).toBe(false)
  })

  it('organizations by one identifying field that agrees', () => {
    const source = { org_name: 'vision', org_email: 'v@example.com', org_url: 'https://v', org_contact_name: 'Alice' }
    expect(sameOrganization(source, { ...source, org_email: 'new@example.com' })).toBe(true)
    expect(sameOrganization(source, { org_name: 'vision', org_email: 'x@y', org_url: 'https://x', org_contact_name: 'Mallory' })).toBe(
      false
    )
  })
})
