import { describe, expect, it } from 'vitest'
import { parseCommandLine } from '../../src/cli/arguments.js'
import { parseConfig } from '../../src/inputs/parse.js'
import { inputProblems, VALID_PROMOTION_INPUTS } from '../helpers/inputs.js'

const valid: Record<string, string> = { ...VALID_PROMOTION_INPUTS, algorithms: 'sentiment', publish: 'true' }

const parse = (overrides: Record<string, string>) => parseConfig(name => (overrides[name] ?? valid[name] ?? '').trim(), {})

const problemsOf = (overrides: Record<string, string>): string[] => inputProblems(() => parse(overrides))

describe('source-versions input', () => {
  it('needs publish: true, since it publishes each version', () => {
    expect(problemsOf({ 'source-versions': 'all', publish: 'false' })).toEqual([
      'source-versions: publishes each selected version, so it needs publish: true (a mode: plan or dry-run run lists them and publishes nothing); leave source-versions out to promote the code alone'
    ])
  })

  it('is absent unless given', () => {
    expect(parse({}).sourceVersions).toBeUndefined()
  })

  it.each([
    ['all', { kind: 'all' }],
    ['ALL', { kind: 'all' }],
    ['>=1.0.0', { kind: 'range', range: '>=1.0.0' }],
    ['1.x', { kind: 'range', range: '1.x' }],
    ['^1.2.0', { kind: 'range', range: '^1.2.0' }],
    ['>=0.2.0 <1.1.0', { kind: 'range', range: '>=0.2.0 <1.1.0' }]
  ])('reads %s', (value, expected) => {
    expect(parse({ 'source-versions': value }).sourceVersions).toEqual(expected)
  })

  it.each(['latest', '1.2.3.4', 'every'])('refuses %s, naming the input and the forms it takes', value => {
    expect(problemsOf({ 'source-versions': value })).toEqual([
      `source-versions: '${value}' is neither 'all' nor a semver range: use e.g. 'all', '>=1.0.0', '1.x' or '^1.2.0'`
    ])
  })

  it('does not quote a refused value with characters a key may carry', () => {
    expect(problemsOf({ 'source-versions': '>=one' })).toEqual([
      "source-versions: the value given is neither 'all' nor a semver range: use e.g. 'all', '>=1.0.0', '1.x' or '^1.2.0'"
    ])
  })

  it.each(['1.2.0', 'latest'])('refuses source-version %s together with source-versions', one => {
    expect(problemsOf({ 'source-version': one, 'source-versions': 'all' })).toEqual([
      'source-versions: cannot be combined with source-version: give source-version to promote one version, or source-versions to replay several, not both'
    ])
  })

  it('is the CLI flag --source-versions', () => {
    const output = { writeOut: () => undefined, writeErr: () => undefined }
    const parsed = parseCommandLine(['--source-versions', '>=1.0.0 <2.0.0'], output, '9.8.7')
    expect(parsed).toMatchObject({ kind: 'run', inputs: { 'source-versions': '>=1.0.0 <2.0.0' } })
  })
})
