import { createHash } from 'node:crypto'
import type { FileChanges } from '../git/object-store.js'
import type { PromotionConfig } from '../core/config.js'
import type { PromotionResult } from '../promotion/result.js'
import { addedAlgorithmLines, unmetReferenceLines } from '../report/dependencies.js'
import { cappedFileList, FILES_PER_LIST } from '../report/file-list.js'
import { shortCommit } from '../report/table.js'
import type { IssueComment } from './api.js'
import { cell, code, htmlCode, text, truncate } from './text.js'

/** How every plan comment's marker begins; the key after it names one plan. */
export const PLAN_MARKER_PREFIX = '<!-- algorithmia-promote plan: '

/** GitHub refuses comments over 65,536 characters; stay well below. */
export const COMMENT_LIMIT = 60_000

export interface PlanFacts {
  /** The commit the workflow ran for. */
  readonly sha?: string
  readonly runUrl?: string
  /** `GITHUB_WORKFLOW` and `GITHUB_JOB`, for the marker. */
  readonly workflow?: string
  readonly job?: string
}

/**
 * The first line of a plan comment, so that the next dry run finds and updates
 * it instead of adding another. Its key is a hash of the workflow, the job and
 * the destinations: a staging plan and a production plan on one pull request
 * are two comments, not one overwriting the other.
 */
export function planMarker(config: PromotionConfig, facts: Pick<PlanFacts, 'workflow' | 'job'>): string {
  const destinations = config.destinations.map(account => account.cluster.label).sort()
  const key = createHash('sha1')
    .update(JSON.stringify([facts.workflow ?? '', facts.job ?? '', destinations]))
    .digest('hex')
    .slice(0, 8)
  return `${PLAN_MARKER_PREFIX}${key} -->`
}

/**
 * True for the plan comment with this marker that the action wrote. Only a
 * bot's comment counts (`github.token` comments as github-actions[bot]): a
 * person who pastes the marker into a comment never has it overwritten.
 */
export function isPlanComment(comment: IssueComment, marker: string): boolean {
  return comment.authorType === 'Bot' && comment.body.trimStart().startsWith(marker)
}

/**
 * The plan as a pull-request comment: per destination, what would happen to
 * each algorithm and which files would be added, modified or deleted; and
 * what would be published. Long file lists are cut, and if the whole comment
 * is still too long, the file lists are shortened further, then left out.
 */
export function renderPlanComment(config: PromotionConfig, results: readonly PromotionResult[], facts: PlanFacts = {}): string {
  for (const filesPerList of [FILES_PER_LIST, 5, 0]) {
    const body = render(config, results, facts, filesPerList)
    if (body.length <= COMMENT_LIMIT) return body
  }
  const body = render(config, results, facts, 0)
  const note = '\n\n… (cut: the plan is too long for a comment; the job summary has the rest)\n'
  return body.slice(0, COMMENT_LIMIT - note.length) + note
}

function render(config: PromotionConfig, results: readonly PromotionResult[], facts: PlanFacts, filesPerList: number): string {
  const lines = [planMarker(config, facts), '## Algorithmia promotion plan', '', ...overview(config, results, facts)]
  lines.push(...dependencySection(results))
  for (const account of config.destinations) {
    const rows = results.filter(result => result.destination === account.cluster.label)
    if (rows.length > 0) lines.push(...destinationSection(account.cluster.label, account.algoOwner, rows, filesPerList))
  }
  if (filesPerList < FILES_PER_LIST && results.some(hasFileChanges)) {
    // The job summary caps its lists too (FILES_PER_LIST per kind), so it is named as "more", not "every file".
    const cut = filesPerList === 0 ? 'File lists are left out' : `File lists are cut to ${filesPerList} per kind`
    lines.push(`_${cut} to keep this comment short; the job summary lists up to ${FILES_PER_LIST} files per kind._`, '')
  }
  lines.push('<sub>Written by algorithmia-promote for each dry run of this pull request; the latest run replaces it.</sub>', '')
  return lines.join('\n')
}

function overview(config: PromotionConfig, results: readonly PromotionResult[], facts: PlanFacts): string[] {
  const changing = results.filter(result => result.newCommit && result.status !== 'failed')
  const unchanged = results.filter(result => result.status === 'unchanged')
  const failed = results.filter(result => result.status === 'failed')
  const commit = facts.sha ? ` at ${code(shortCommit(facts.sha))}` : ''
  const run = facts.runUrl ? ` ([workflow run](${facts.runUrl}))` : ''
  return [
    `Dry run${commit}${run}: promoting ${count(config.algorithms.length, 'algorithm')} from ${code(config.source.cluster.label)} (owner ${code(config.source.algoOwner)}), source version ${code(sourceVersionText(config))}.`,
    '',
    `**${changing.length} of ${count(results.length, 'promotion')} would change a destination**; ${unchanged.length} unchanged; ${failed.length} failed.`,
    '',
    publishLine(config),
    ''
  ]
}

/** One destination: a row per algorithm, then the file lists (unless they are left out). */
function destinationSection(label: string, owner: string, rows: readonly PromotionResult[], filesPerList: number): string[] {
  const lines = [`### ${code(label)} (owner ${code(owner)})`, '', '| Algorithm | Would | Source | Files |', '| --- | --- | --- | --- |']
  for (const result of rows) {
    lines.push(
      `| ${cell(code(result.algorithm))} | ${cell(plannedAction(result))} | ${cell(sourceText(result))} | ${cell(filesSummary(result))} |`
    )
  }
  lines.push('')
  for (const result of rows.filter(row => row.metadataDiff?.length)) {
    lines.push(`Metadata of ${code(result.algorithm)} would change (\`metadata: sync\`):`, '')
    lines.push(...(result.metadataDiff ?? []).map(change => `- ${text(change)}`), '')
  }
  for (const result of rows) lines.push(...historyLines(result))
  if (filesPerList > 0) {
    for (const result of rows.filter(hasFileChanges)) lines.push(...fileDetails(result, filesPerList), '')
  }
  return lines
}

/** With `source-versions`: the versions that would be published, each with the number it would get. */
function historyLines(result: PromotionResult): string[] {
  const planned = (result.versions ?? []).filter(version => version.status === 'planned')
  if (planned.length === 0) return []
  const numbered = planned.map(version =>
    version.matched ? code(version.sourceVersion) : `${code(version.sourceVersion)} as ${code(version.destVersion)}`
  )
  return [`Source versions of ${code(result.algorithm)} that would be published, oldest first: ${numbered.join(', ')}.`, '']
}

/** Lines of each dependency list shown at most; the job summary and the `results` output have the rest. */
const DEPENDENCY_LINES_MAX = 50

/** The algorithms `dependencies: promote` would add, and the calls a destination would not answer. */
function dependencySection(results: readonly PromotionResult[]): string[] {
  const lines: string[] = []
  for (const [title, items] of [
    ['**Added because they are called** (`dependencies: promote`):', addedAlgorithmLines(results)],
    ['**Calls a destination does not answer:**', unmetReferenceLines(results)]
  ] as const) {
    if (items.length === 0) continue
    lines.push(title, '', ...items.slice(0, DEPENDENCY_LINES_MAX).map(item => `- ${text(truncate(item, 300))}`), '')
  }
  return lines
}

function publishLine(config: PromotionConfig): string {
  if (config.mode === 'plan') return 'Plan mode: only the commits were compared; nothing would be published by this run.'
  if (!config.publish) {
    return '**Publishing:** nothing would be published (`publish` is off); changed destinations would get the new commit only. A source secret missing on a destination is reported as a warning.'
  }
  if (config.sourceVersions) {
    return `**Publishing:** each selected source version the destination lacks would be published, oldest first, after its build${smokeTestText(config)}, with the bump that produced it on the source (so an empty destination gets the same numbers).`
  }
  const version =
    config.versionType === 'match'
      ? "a version with **the source's version number** (when one bump reaches it)"
      : `a new **${config.versionType}** version`
  const steps = [
    `after each changed destination builds${smokeTestText(config)}, ${version} would be published there with the source version's sample input, callability and insights setting${config.releaseNotes ? ' and the given release notes' : ''}`,
    config.missingSecrets === 'fail'
      ? 'unless the destination lacks a secret name the source has'
      : 'even when the destination lacks a secret name the source has (a warning)'
  ]
  return `**Publishing:** ${steps.join(', ')}.`
}

function smokeTestText(config: PromotionConfig): string {
  const test = config.smokeTest
  if (!test) return ''
  if (test.kind === 'sample-input') return " and answers the source version's sample input as the source does"
  return ` and passes ${count(test.cases.length, 'smoke-test call')}`
}

function sourceVersionText(config: PromotionConfig): string {
  const version = config.sourceVersion
  return version.kind === 'latest' ? 'latest' : version.kind === 'semver' ? version.version : version.sha
}

function plannedAction(result: PromotionResult): string {
  switch (result.status) {
    case 'planned':
      // A planned promotion onto no destination commit creates the algorithm (or fills an empty repository).
      return result.destCommit ? 'update' : '**create**'
    case 'created':
      return 'created'
    case 'updated':
      return 'updated'
    case 'unchanged':
      return 'stay unchanged'
    case 'failed':
      return `**fail**${result.failedStep ? ` (${result.failedStep})` : ''}: ${text(truncate(result.error ?? '', 300))}`
  }
}

function sourceText(result: PromotionResult): string {
  const commit = result.sourceCommit ? code(shortCommit(result.sourceCommit)) : ''
  return [result.sourceVersion ? code(result.sourceVersion) : '', commit].filter(Boolean).join(' @ ') || '–'
}

type WithChanges = PromotionResult & { readonly changes: FileChanges }

function hasFileChanges(result: PromotionResult): result is WithChanges {
  const changes = result.changes
  return changes !== undefined && changes.added.length + changes.modified.length + changes.deleted.length > 0
}

function filesSummary(result: PromotionResult): string {
  const changes = result.changes
  if (!changes) return result.status === 'planned' ? 'not compared' : '–'
  const parts = [
    changes.added.length ? `${changes.added.length} added` : '',
    changes.modified.length ? `${changes.modified.length} modified` : '',
    changes.deleted.length ? `${changes.deleted.length} deleted` : ''
  ].filter(Boolean)
  return parts.join(', ') || 'no file changes'
}

function fileDetails(result: WithChanges, limit: number): string[] {
  const changes = result.changes
  const lines = [`<details><summary>${htmlCode(result.algorithm)} → ${htmlCode(result.destination)}: ${filesSummary(result)}</summary>`, '']
  for (const [title, files] of [
    ['Added', changes.added],
    ['Modified', changes.modified],
    ['Deleted', changes.deleted]
  ] as const) {
    if (files.length === 0) continue
    lines.push(`**${title}**`, '', ...cappedFileList(files, limit, code).map(line => `- ${line}`), '')
  }
  lines.push('</details>')
  return lines
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
