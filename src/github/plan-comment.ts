import type { PromotionConfig } from '../inputs/config.js'
import type { PromotionResult } from '../promotion/result.js'
import { truncate } from './api.js'

/** Starts every plan comment, so that the next dry run finds and updates it instead of adding another. */
export const PLAN_MARKER = '<!-- algorithmia-promote plan -->'

/** GitHub refuses comments over 65,536 characters; stay well below. */
export const COMMENT_LIMIT = 60_000

/** Files listed per kind (added, modified, deleted) and promotion before "… and N more". */
export const FILES_PER_LIST = 30

export interface PlanFacts {
  /** The commit the workflow ran for. */
  readonly sha?: string
  readonly runUrl?: string
}

/** True for a comment this action wrote (the marker comes first). */
export function isPlanComment(body: string): boolean {
  return body.trimStart().startsWith(PLAN_MARKER)
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
  const note = '\n\n… (cut: the plan is too long for a comment; the job summary has all of it)\n'
  return body.slice(0, COMMENT_LIMIT - note.length) + note
}

function render(config: PromotionConfig, results: readonly PromotionResult[], facts: PlanFacts, filesPerList: number): string {
  const lines: string[] = [PLAN_MARKER, '## Algorithmia promotion plan', '']
  const changing = results.filter(result => result.status === 'planned' || result.status === 'created' || result.status === 'updated')
  const unchanged = results.filter(result => result.status === 'unchanged')
  const failed = results.filter(result => result.status === 'failed')
  const commit = facts.sha ? ` at ${code(facts.sha.slice(0, 7))}` : ''
  const run = facts.runUrl ? ` ([workflow run](${facts.runUrl}))` : ''
  lines.push(
    `Dry run${commit}${run}: promoting ${count(config.algorithms.length, 'algorithm')} from ${code(config.source.cluster.label)} (owner ${code(config.source.algoOwner)}), source version ${code(sourceVersionText(config))}.`,
    '',
    `**${changing.length} of ${count(results.length, 'promotion')} would change a destination**; ${unchanged.length} unchanged; ${failed.length} failed.`,
    '',
    publishLine(config),
    ''
  )
  for (const account of config.destinations) {
    const label = account.cluster.label
    const rows = results.filter(result => result.destination === label)
    if (rows.length === 0) continue
    lines.push(`### ${code(label)} (owner ${code(account.algoOwner)})`, '', '| Algorithm | Would | Source | Files |', '| --- | --- | --- | --- |')
    for (const result of rows) {
      lines.push(`| ${cell(code(result.algorithm))} | ${cell(would(result))} | ${cell(sourceText(result))} | ${cell(filesSummary(result))} |`)
    }
    lines.push('')
    if (filesPerList > 0) {
      for (const result of rows.filter(result => result.changes && changeCount(result) > 0)) lines.push(...fileDetails(result, filesPerList), '')
    }
  }
  if (filesPerList < FILES_PER_LIST && results.some(result => result.changes && changeCount(result) > 0)) {
    lines.push(filesPerList === 0 ? '_File lists are left out to keep this comment short; the job summary lists every file._' : `_File lists are cut to ${filesPerList} per kind to keep this comment short; the job summary lists every file._`, '')
  }
  lines.push('<sub>Written by algorithmia-promote for each dry run of this pull request; the latest run replaces it.</sub>', '')
  return lines.join('\n')
}

function publishLine(config: PromotionConfig): string {
  if (config.mode === 'plan') return 'Plan mode: only the commits were compared; nothing would be published by this run.'
  return config.publish
    ? `**Publishing:** after each changed destination builds, a new **${config.versionType}** version would be published there${config.releaseNotes ? ' with the given release notes' : ''}.`
    : '**Publishing:** nothing would be published (`publish` is off); changed destinations would get the new commit only.'
}

function sourceVersionText(config: PromotionConfig): string {
  const version = config.sourceVersion
  return version.kind === 'latest' ? 'latest' : version.kind === 'semver' ? version.version : version.sha
}

function would(result: PromotionResult): string {
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
  const commit = result.sourceCommit ? code(result.sourceCommit.slice(0, 7)) : ''
  return [result.sourceVersion ? code(result.sourceVersion) : '', commit].filter(Boolean).join(' @ ') || '–'
}

function changeCount(result: PromotionResult): number {
  const changes = result.changes
  return changes ? changes.added.length + changes.modified.length + changes.deleted.length : 0
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

function fileDetails(result: PromotionResult, limit: number): string[] {
  const changes = result.changes!
  const lines = [`<details><summary>${htmlCode(result.algorithm)} → ${htmlCode(result.destination)}: ${filesSummary(result)}</summary>`, '']
  for (const [title, files] of [
    ['Added', changes.added],
    ['Modified', changes.modified],
    ['Deleted', changes.deleted]
  ] as const) {
    if (files.length === 0) continue
    lines.push(`**${title}**`, '')
    for (const file of files.slice(0, limit)) lines.push(`- ${code(file)}`)
    if (files.length > limit) lines.push(`- … and ${files.length - limit} more`)
    lines.push('')
  }
  lines.push('</details>')
  return lines
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** A code span that holds any text: a fence longer than any backtick run inside, newlines flattened. */
export function code(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ')
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** Inline code inside HTML (the details summary), where markdown is not parsed. */
function htmlCode(value: string): string {
  return `<code>${value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</code>`
}

/** Plain text that markdown shows as it is: no formatting, no HTML, no @-mentions. */
export function text(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_[\]#~|]/g, match => `\\${match}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('@', '@\u200b')
}

/** A table cell: pipes would end it (even inside code spans). */
function cell(value: string): string {
  return value.replace(/(?<!\\)\|/g, '\\|')
}
