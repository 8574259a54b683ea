import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import type { DependencyMode, MetadataMode, MissingSecrets, SmokeTest, SmokeTestCase, VersionTypeChoice } from '../core/config.js'
import type { InputContext } from './reader.js'
import { VERSION_TYPES } from '../core/rules.js'

/** Inputs about what makes a destination behave like its source: metadata, version numbers, secrets, a smoke test. */
export function metadataMode(inputs: InputContext): MetadataMode {
  return inputs.choice<MetadataMode>(
    'metadata',
    ['create', 'sync'],
    "is not a metadata mode: use 'create' (copy when creating) or 'sync' (also update an existing destination)"
  )
}

export function versionTypeChoice(inputs: InputContext): VersionTypeChoice {
  return inputs.choice<VersionTypeChoice>(
    'version-type',
    [...VERSION_TYPES, 'match'],
    `is not a version type: use ${VERSION_TYPES.join(', ')}, or match (the source's version number)`
  )
}

export function missingSecrets(inputs: InputContext): MissingSecrets {
  return inputs.choice<MissingSecrets>(
    'missing-secrets',
    ['fail', 'warn'],
    "is not allowed: use 'fail' (no publish while a source secret is missing on the destination) or 'warn'"
  )
}

export function dependencyMode(inputs: InputContext): DependencyMode {
  return inputs.choice<DependencyMode>(
    'dependencies',
    ['warn', 'require', 'promote', 'off'],
    "is not allowed: use 'warn' (a warning per call the destination cannot answer), 'require' (no publish then), 'promote' (promote the source owner's called algorithms first) or 'off'"
  )
}

const CASES_EXAMPLE = `'[{"input": "Jane", "expected": "hello Jane"}]'`

/**
 * `smoke-test`: a JSON list of cases, a path to a JSON file of cases inside
 * the workspace, or `sample-input`. The file is read now, so a bad one is
 * reported before anything is written.
 */
export function smokeTest(inputs: InputContext): SmokeTest | undefined {
  const value = inputs.read('smoke-test').trim()
  if (!value) return undefined
  if (value === 'sample-input') return { kind: 'sample-input' }
  if (value.startsWith('[')) return casesFrom(inputs, value, 'smoke-test')
  const workspace = path.resolve(inputs.env.GITHUB_WORKSPACE ?? '.')
  const relative = path.relative(workspace, path.resolve(workspace, value))
  if (!insideWorkspace(workspace, value)) {
    inputs.problem('smoke-test', `names a file outside the workspace (${workspace}), or a link to one: give a path inside it`)
    return undefined
  }
  let text: string
  try {
    text = readFileSync(path.resolve(workspace, value), 'utf8')
  } catch (error) {
    inputs.problem(
      'smoke-test',
      `names a file that cannot be read (${relative}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): give a JSON list such as ${CASES_EXAMPLE}, a path to a file in the workspace holding one, or sample-input`
    )
    return undefined
  }
  return casesFrom(inputs, text, `smoke-test file ${relative}`)
}

/** The file's real path (links followed) lies inside the workspace's real path. A missing file is judged by its name. */
function insideWorkspace(workspace: string, value: string): boolean {
  const real = (file: string): string => {
    try {
      return realpathSync(file)
    } catch {
      return file
    }
  }
  const relative = path.relative(real(workspace), real(path.resolve(workspace, value)))
  return !(relative.startsWith('..') || path.isAbsolute(relative))
}

/** JSON.parse's reason without the excerpt of the text it quotes: the text may be a file nobody meant to show. */
function parseReason(error: unknown): string {
  return (error as Error).message.replace(/"(?:[^"\\]|\\.)*"(?:\.\.\.)?/g, '…')
}

function casesFrom(inputs: InputContext, text: string, where: string): SmokeTest | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    inputs.problem('smoke-test', `${where} is not valid JSON (${parseReason(error)}): give a list such as ${CASES_EXAMPLE}`)
    return undefined
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    inputs.problem('smoke-test', `${where} must be a non-empty JSON list of {"input", "expected"?} cases, such as ${CASES_EXAMPLE}`)
    return undefined
  }
  const cases: SmokeTestCase[] = []
  parsed.forEach((entry: unknown, index) => {
    const object = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined
    const extra = object ? Object.keys(object).filter(key => key !== 'input' && key !== 'expected') : []
    if (!object || !('input' in object) || extra.length) {
      inputs.problem(
        'smoke-test',
        `case ${index + 1} of ${where} must be an object with "input" and optionally "expected", and nothing else`
      )
      return
    }
    cases.push('expected' in object ? { input: object.input, expected: object.expected } : { input: object.input })
  })
  return cases.length === parsed.length ? { kind: 'cases', cases } : undefined
}
