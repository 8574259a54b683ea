/** The inputs metadata, version-type match, missing-secrets and smoke-test, and how the plan comment describes them. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { renderPlanComment } from '../../src/github-api/plan-comment.js'
import { InputError } from '../../src/core/input-error.js'
import { parseConfig } from '../../src/inputs/parse.js'
import type { PromotionResult } from '../../src/promotion/result.js'
import { VALID_PROMOTION_INPUTS } from '../helpers/inputs.js'

const valid: Record<string, string> = { ...VALID_PROMOTION_INPUTS, algorithms: 'hello' }

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
})

const parse = (overrides: Record<string, string>, env: Record<string, string> = {}) =>
  parseConfig(name => (overrides[name] ?? valid[name] ?? '').trim(), env)

function problemsOf(overrides: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    parse(overrides, env)
  } catch (error) {
    if (error instanceof InputError) return error.problems.map(p => `${p.input}: ${p.message}`)
    throw error
  }
  return []
}

describe('runtime inputs', () => {
  it('defaults to create, fail and no smoke test, and accepts sync, warn and match', () => {
    expect(parse({})).toMatchObject({ metadata: 'create', missingSecrets: 'fail', versionType: 'minor', smokeTest: undefined })
    expect(parse({ metadata: 'sync', 'missing-secrets': 'warn', 'version-type': 'match' })).toMatchObject({
      metadata: 'sync',
      missingSecrets: 'warn',
      versionType: 'match'
    })
  })

  it('refuses unknown choices, naming the input and the choices', () => {
    expect(problemsOf({ metadata: 'always', 'missing-secrets': 'ignore', 'version-type': 'same' })).toEqual([
      "version-type: 'same' is not a version type: use major, minor, revision, or match (the source's version number)",
      "metadata: 'always' is not a metadata mode: use 'create' (copy when creating) or 'sync' (also update an existing destination)",
      "missing-secrets: 'ignore' is not allowed: use 'fail' (no publish while a source secret is missing on the destination) or 'warn'"
    ])
  })

  it('reads dependencies (warn by default) and refuses an unknown mode, naming the input and the modes', () => {
    expect(parse({}).dependencies).toBe('warn')
    for (const mode of ['require', 'promote', 'off']) expect(parse({ dependencies: mode }).dependencies).toBe(mode)
    expect(problemsOf({ dependencies: 'strict' })).toEqual([
      "dependencies: 'strict' is not allowed: use 'warn' (a warning per call the destination cannot answer), 'require' (no publish then), 'promote' (promote the source owner's called algorithms first) or 'off'"
    ])
  })

  it('reads smoke-test cases inline, from a file in the workspace, or sample-input', async () => {
    expect(parse({ 'smoke-test': '[{"input": "Jane", "expected": "hello Jane"}, {"input": {"n": 1}}]' }).smokeTest).toEqual({
      kind: 'cases',
      cases: [{ input: 'Jane', expected: 'hello Jane' }, { input: { n: 1 } }]
    })
    expect(parse({ 'smoke-test': 'sample-input' }).smokeTest).toEqual({ kind: 'sample-input' })
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'smoke-inputs-'))
    dirs.push(workspace)
    await writeFile(path.join(workspace, 'cases.json'), '[{"input": 3, "expected": 4}]')
    expect(parse({ 'smoke-test': 'cases.json' }, { GITHUB_WORKSPACE: workspace }).smokeTest).toEqual({
      kind: 'cases',
      cases: [{ input: 3, expected: 4 }]
    })
  })

  it('refuses bad smoke-test cases and files outside the workspace before anything runs', async () => {
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'smoke-inputs-'))
    dirs.push(workspace)
    const env = { GITHUB_WORKSPACE: workspace }
    expect(problemsOf({ 'smoke-test': '[]' }, env)[0]).toMatch(/^smoke-test: smoke-test must be a non-empty JSON list/)
    expect(problemsOf({ 'smoke-test': '[{"expected": 1}]' }, env)[0]).toMatch(/case 1 of smoke-test must be an object with "input"/)
    expect(problemsOf({ 'smoke-test': '[{"input": 1, "output": 2}]' }, env)[0]).toMatch(/and nothing else/)
    expect(problemsOf({ 'smoke-test': '[{"input": ' }, env)[0]).toMatch(/is not valid JSON/)
    expect(problemsOf({ 'smoke-test': '../outside.json' }, env)[0]).toMatch(/outside the workspace/)
    expect(problemsOf({ 'smoke-test': 'missing.json' }, env)[0]).toMatch(/cannot be read \(missing.json: ENOENT\)/)
  })
})

describe('the plan comment', () => {
  const result: PromotionResult = {
    algorithm: 'hello',
    destination: 'prod.algo.example.com',
    status: 'unchanged',
    sourceCommit: 'a'.repeat(40),
    sourceVersion: '1.2.0',
    destCommit: 'b'.repeat(40),
    destVersion: '',
    newCommit: false,
    metadataChanges: ['settings.license'],
    metadataDiff: ['settings.license: "apl" → "mit"']
  }

  it('shows each metadata difference and what publishing would check', () => {
    const config = parse({
      'dry-run': 'true',
      publish: 'true',
      metadata: 'sync',
      'version-type': 'match',
      'smoke-test': '[{"input": "Jane"}, {"input": "Bob"}]'
    })
    const body = renderPlanComment(config, [result])
    expect(body).toContain('Metadata of `hello` would change (`metadata: sync`):')
    expect(body).toContain('- settings.license: "apl" → "mit"')
    expect(body).toContain("a version with **the source's version number**")
    expect(body).toContain('passes 2 smoke-test calls')
    expect(body).toContain('unless the destination lacks a secret name the source has')
  })
})
