/**
 * How git's and the clusters' failures are classified (retry or not) and
 * translated into one sentence that names the cluster, the key's owner and the fix.
 */
import { describe, expect, it } from 'vitest'
import { ClusterApiError, ClusterUnreachableError } from '../../src/cluster/errors.js'
import { GitError } from '../../src/git/git-error.js'
import type { ClusterAccount } from '../../src/core/config.js'
import { explainFailure, PromotionError, type FailureContext } from '../../src/promotion/failure.js'

const account = (prefix: string, label: string, keyOwner: string, algoOwner: string): ClusterAccount => ({
  cluster: { label, apiUrl: `https://api.${label}`, gitUrl: `https://git.${label}` },
  apiKey: 'simKEY',
  keyOwner,
  algoOwner,
  inputName: field => `${prefix}-${field}`
})
const SOURCE = account('source', 'dev.example.com', 'alice', 'data_science')
const DEST = account('dest', 'prod.example.com', 'deployer', 'ml_prod')
const onDest: FailureContext = { algorithm: 'hello', step: 'prepare destination', account: DEST, role: 'destination' }
const onSource: FailureContext = { algorithm: 'hello', step: 'resolve source', account: SOURCE, role: 'source' }
const api = (status: number, code?: number) =>
  new ClusterApiError(DEST.cluster.label, 'GET', '/algorithms/ml_prod/hello', status, code, 'message')

describe('GitError classification', () => {
  const git = (stderr: string) => new GitError('push', 'prod.example.com ml_prod/hello', stderr, 128)

  it.each([
    ["fatal: unable to access 'http://h/': The requested URL returned error: 503", 503, true],
    ['error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502', 502, true],
    ["fatal: unable to access 'http://h/': The requested URL returned error: 403", 403, false],
    ["fatal: could not read Username for 'http://h': terminal prompts disabled", 401, false],
    ["fatal: Authentication failed for 'http://h/git/a/b.git/'", 401, false],
    ["remote: Repository not found\nfatal: repository 'http://h/git/a/b.git/' not found", 404, false],
    ['error: RPC failed; curl 52 Empty reply from server\nfatal: the remote end hung up unexpectedly', undefined, true],
    ['error: RPC failed; curl 56 Recv failure: Connection reset by peer', undefined, true],
    ["fatal: unable to access 'http://h/': Failed to connect to h port 80: Connection refused", undefined, true],
    ['fatal: remote error: upload-pack: not our ref ' + 'a'.repeat(40), undefined, false]
  ])('%s → status %s, transient %s', (stderr, status, transient) => {
    expect(git(stderr).httpStatus).toBe(status)
    expect(git(stderr).transient).toBe(transient)
  })

  it('a dropped push stays transient even when a lazy fetch from another host could not authenticate first', () => {
    const error = git(
      "fatal: could not read Username for 'http://dev:1': terminal prompts disabled\nerror: RPC failed; curl 52 Empty reply from server\nsend-pack: unexpected disconnect while reading sideband packet\nfatal: the remote end hung up unexpectedly"
    )
    expect(error.httpStatus).toBeUndefined()
    expect(error.transient).toBe(true)
  })

  it('recognises a push refused because the branch moved on, and a commit the remote does not have', () => {
    expect(git(' ! [rejected]        abc -> master (fetch first)').rejectedAsStale).toBe(true)
    // The server failing to write the ref is not a stale push; rebuilding would only repeat it.
    expect(git(' ! [remote rejected] abc -> master (failed to update ref)').rejectedAsStale).toBe(false)
    expect(git('fatal: remote error: upload-pack: not our ref ' + 'a'.repeat(40)).missingCommit).toBe('a'.repeat(40))
  })
})

describe('ClusterApiError classification', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [501, false],
    [400, false],
    [404, false]
  ])('%i transient: %s', (status, transient) => expect(api(status).transient).toBe(transient))
})

describe('explainFailure', () => {
  it('401 from the API: authentication failed on which cluster, for the key owned by whom, and what to check', () => {
    expect(explainFailure(api(401, 2002), onDest)).toBe(
      "prepare destination for 'hello' on the destination cluster prod.example.com failed: authentication failed on prod.example.com (the API) for the API key owned by 'deployer'. Check that dest-api-key is a valid standard (not admin) key of 'deployer' on prod.example.com, and that dest-api-key-owner names its owner (git signs in as that name)."
    )
  })

  it('401 from git (prompts disabled) on the source', () => {
    const error = new GitError(
      'ls-remote',
      'dev.example.com data_science/hello',
      "fatal: could not read Username for 'https://git.dev.example.com': terminal prompts disabled",
      128
    )
    expect(explainFailure(error, onSource)).toMatch(
      /authentication failed on dev\.example\.com \(git \(HTTP Basic\)\) for the API key owned by 'alice'\. Check that source-api-key .* source-api-key-owner names its owner/
    )
  })

  it("403: the key's owner cannot manage that owner's algorithms; on a destination, the owner may not exist yet", () => {
    const message = explainFailure(api(403, 2001), onDest)
    expect(message).toMatch(
      /the API key owned by 'deployer' may not manage the algorithms of 'ml_prod' on prod\.example\.com\. Give the key the "manage my algorithms" permission/
    )
    expect(message).toMatch(
      /If 'ml_prod' does not exist on prod\.example\.com yet, create it first: users and organizations must exist on the destination/
    )
    expect(explainFailure(api(403, 2001), onSource)).not.toMatch(/must exist on the destination/)
  })

  it('404 on the source: the algorithm does not exist', () => {
    expect(explainFailure(api(404), onSource)).toMatch(
      /the algorithm data_science\/hello does not exist on dev\.example\.com\. Check the names in 'algorithms' and source-algo-owner/
    )
  })

  it('unreachable and failing clusters: after retries, and where to look', () => {
    expect(explainFailure(new ClusterUnreachableError('prod.example.com', 'GET', '/x', 'ECONNREFUSED'), onDest)).toMatch(
      /got no answer \(ECONNREFUSED\), even after retries\. Check dest-cluster \(or dest-api-url\)/
    )
    expect(explainFailure(api(503), onDest)).toMatch(/answered 503.*even after retries\. The cluster is failing; try again later\./)
  })

  it('a git failure on the source during a destination step points at the source, not the destination key', () => {
    const context: FailureContext = { ...onDest, step: 'sync code' }
    const auth = new GitError(
      'fetch',
      'dev.example.com data_science/hello',
      "fatal: could not read Username for 'https://git.dev.example.com': terminal prompts disabled",
      128
    )
    expect(explainFailure(auth, context)).toMatch(
      /git authentication failed on the source repository dev\.example\.com data_science\/hello\. Check that source-api-key/
    )
    expect(explainFailure(auth, context)).not.toMatch(/deployer/)
    const missing = new GitError(
      'fetch',
      'dev.example.com data_science/hello',
      `fatal: remote error: upload-pack: not our ref ${'a'.repeat(40)}`,
      128
    )
    expect(explainFailure(missing, context)).toMatch(
      /dev\.example\.com data_science\/hello \(the source\) has no commit a{40}\. Check source-version/
    )
  })

  it('a PromotionError is shown as it is', () => {
    expect(explainFailure(new PromotionError('exactly this.'), onDest)).toBe(
      "prepare destination for 'hello' on the destination cluster prod.example.com failed: exactly this."
    )
  })
})

describe('git argument guard', () => {
  it('refuses credential-bearing URLs and Authorization headers in git arguments, without echoing them', async () => {
    const { assertNoCredentialArguments, runGit } = await import('../../src/git/git-command.js')
    expect(() => assertNoCredentialArguments(['fetch', 'https://alice:simKEY@git.example.com/git/a/b.git'])).toThrow(
      /^refusing to run git with a credential in its arguments/
    )
    expect(() => assertNoCredentialArguments(['-c', 'http.extraHeader=Authorization: Basic abc', 'fetch'])).toThrow()
    expect(() =>
      assertNoCredentialArguments(['fetch', 'http://127.0.0.1:8080/git/a/b.git', 'abc:refs/heads/master', '-C', '/tmp/x@y'])
    ).not.toThrow()
    await expect(runGit({ args: ['ls-remote', 'https://u:simKEY@example.invalid/x.git'], cwd: '/', inherited: {} })).rejects.toThrow(
      /^refusing to run git/
    )
    await expect(
      runGit({ args: ['ls-remote', 'https://u:simKEY@example.invalid/x.git'], cwd: '/', inherited: {} }).catch((e: Error) => e.message)
    ).resolves.not.toContain('simKEY')
  })
})
