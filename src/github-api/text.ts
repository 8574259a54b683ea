import { escapeHtml } from '../report/html.js'

/** At most `limit` characters (code points, so no pair is cut), ending in '…' when cut. */
export function truncate(text: string, limit: number): string {
  const characters = Array.from(text)
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join('')}…`
}

/** Whitespace runs (newlines included) as one space: deployment descriptions are one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** A markdown code span that holds any text: a fence longer than any backtick run inside, newlines flattened. */
export function code(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ')
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** Inline code inside HTML (a details summary), where markdown is not parsed. */
export function htmlCode(value: string): string {
  return `<code>${escapeHtml(value)}</code>`
}

/** Plain text that markdown shows as it is: no formatting, no HTML, no @-mentions. */
export function text(value: string): string {
  return escapeHtml(value.replace(/\s+/g, ' ').replace(/[\\`*_[\]#~|]/g, match => `\\${match}`)).replaceAll('@', '@\u200b')
}

/** A markdown table cell: pipes would end it (even inside code spans). */
export function cell(value: string): string {
  return value.replace(/(?<!\\)\|/g, '\\|')
}
