/**
 * Readers that check each API answer's shape where it is read, so an odd or
 * hostile cluster gets a message naming what it sent instead of a TypeError
 * later, and so values that reach git, logs and outputs (commit hashes,
 * semantic versions) are what their fields promise.
 */
import type { Algorithm, Build, Page, Version } from './types.js'
import { isPlainObject } from '../util/json.js'
import { quoteRemoteValue } from '../util/remote-text.js'
import { OBJECT_ID_PATTERN, SEMVER_PATTERN } from '../core/rules.js'

/** What a reader found wrong; the API client adds the cluster and the request. */
export class AnswerShapeProblem extends Error {}

export type AnswerReader<T> = (answer: unknown) => T

export const readAlgorithm: AnswerReader<Algorithm> = answer => {
  const algorithm = object(answer, 'the algorithm')
  optional(algorithm, 'details', object)
  optional(algorithm, 'settings', object)
  const info = optional(algorithm, 'version_info', object)
  if (info) {
    optional(info, 'git_hash', commitHash)
    optional(info, 'semantic_version', semanticVersion)
  }
  return algorithm as unknown as Algorithm
}

/**
 * A create answer: the algorithm, as the specification says it sends, or
 * nothing when a cluster answers otherwise (the algorithm exists either way;
 * what the answer would have told is read later when needed).
 */
export const readCreatedAlgorithm: AnswerReader<Algorithm | undefined> = answer =>
  isPlainObject(answer) ? readAlgorithm(answer) : undefined

/** A version in a list: its commit is what the version is. */
export const readVersion: AnswerReader<Version> = answer => {
  const info = object(object(answer, 'a version').version_info, 'version_info')
  commitHash(info.git_hash, 'version_info.git_hash')
  optional(info, 'semantic_version', semanticVersion)
  return answer as Version
}

/**
 * A publish answer: what it says is checked; what it leaves out (some clusters
 * answer with no body at all) the caller looks up in the versions list.
 */
export const readPublished: AnswerReader<Version> = answer => {
  if (answer === undefined) return answer as unknown as Version
  const info = optional(object(answer, 'the published version'), 'version_info', object)
  if (info) {
    optional(info, 'git_hash', commitHash)
    optional(info, 'semantic_version', semanticVersion)
  }
  return answer as Version
}

export const readBuild: AnswerReader<Build> = answer => {
  const build = object(answer, 'a build')
  if (typeof build.build_id !== 'string' && typeof build.build_id !== 'number') {
    throw new AnswerShapeProblem(`build_id is ${quoteRemoteValue(build.build_id)}, not an id`)
  }
  if (typeof build.status !== 'string') throw new AnswerShapeProblem(`status is ${quoteRemoteValue(build.status)}, not a build status`)
  commitHash(build.commit_sha, 'commit_sha')
  return { ...build, build_id: String(build.build_id) } as unknown as Build
}

export const readBuildLogs: AnswerReader<{ logs?: string }> = answer => {
  const body = object(answer, 'the build logs')
  optional(body, 'logs', (value, name) => {
    if (typeof value !== 'string') throw new AnswerShapeProblem(`${name} is ${quoteRemoteValue(value)}, not text`)
  })
  return body as { logs?: string }
}

/** A page of a list: `results` must be a list, each item as `readItem` says. */
export function readPage<T>(readItem: AnswerReader<T>): AnswerReader<Page<T>> {
  return answer => {
    const page = object(answer, 'a page of results')
    if (!Array.isArray(page.results)) throw new AnswerShapeProblem(`results is ${quoteRemoteValue(page.results)}, not a list`)
    if (page.marker !== undefined && page.marker !== null && typeof page.marker !== 'string') {
      throw new AnswerShapeProblem(`marker is ${quoteRemoteValue(page.marker)}, not text`)
    }
    const results = page.results.map((item, index) => {
      try {
        return readItem(item)
      } catch (error) {
        if (error instanceof AnswerShapeProblem) throw new AnswerShapeProblem(`results[${index}]: ${error.message}`)
        throw error
      }
    })
    return { ...page, results } as Page<T>
  }
}

function object(value: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new AnswerShapeProblem(`${name} is ${quoteRemoteValue(value)}, not an object`)
  return value
}

function commitHash(value: unknown, name: string): string {
  if (typeof value !== 'string' || !OBJECT_ID_PATTERN.test(value)) {
    throw new AnswerShapeProblem(`${name} is ${value === undefined ? 'missing' : quoteRemoteValue(value)}, not a commit hash`)
  }
  return value
}

function semanticVersion(value: unknown, name: string): string {
  if (typeof value !== 'string' || !SEMVER_PATTERN.test(value)) {
    throw new AnswerShapeProblem(`${name} is ${quoteRemoteValue(value)}, not a semantic version (major.minor.revision)`)
  }
  return value
}

/** Checks a field that may be absent (or null, which some clusters send for "none"). */
function optional<T>(container: Record<string, unknown>, field: string, check: (value: unknown, name: string) => T): T | undefined {
  const value = container[field]
  return value === undefined || value === null ? undefined : check(value, field)
}

/** A page (`{results, marker}`) or, as some list routes answer, a bare list; each item as `readItem` says. */
export function readPageOrList<T>(readItem: AnswerReader<T>): AnswerReader<{ results: T[]; marker?: string }> {
  return answer => {
    if (!Array.isArray(answer)) {
      const page = readPage(readItem)(answer)
      return { results: [...page.results], marker: page.marker ?? undefined }
    }
    return { results: [...readPage(readItem)({ results: answer }).results] }
  }
}

/** An item of an owner's algorithm list: `name` (clusters) or `algoname` (the spec), a valid algorithm name. */
export const readListedAlgorithmName: AnswerReader<string> = answer => {
  const item = object(answer, 'a listed algorithm')
  const name = item.name ?? item.algoname
  if (typeof name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_]*$/.test(name)) {
    throw new AnswerShapeProblem(`name is ${quoteRemoteValue(name)}, not an algorithm name`)
  }
  return name
}

/** An account or member in an admin list: `field` must be an account name; other fields pass as they are. */
export function readAccount<T>(field: string): AnswerReader<T> {
  return answer => {
    const item = object(answer, 'an account')
    const name = item[field]
    if (typeof name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_]*$/.test(name)) {
      throw new AnswerShapeProblem(`${field} is ${quoteRemoteValue(name)}, not a user or organization name`)
    }
    return item as T
  }
}

export const readOrganizationType: AnswerReader<{ id: string; name: string }> = answer => {
  const item = object(answer, 'an organization type')
  if (typeof item.id !== 'string' || typeof item.name !== 'string') {
    throw new AnswerShapeProblem(`organization type ${quoteRemoteValue(item)} lacks a text id and name`)
  }
  return { id: item.id, name: item.name }
}
