/**
 * Text a cluster or git server sent (error messages, hook output, values)
 * is data. Shown as it is, a line break in it could start a line that the
 * GitHub runner takes as a workflow command (`::add-mask::`, `::stop-commands::`),
 * and an escape sequence could drive the user's terminal.
 */

/** C0 controls but tab and line breaks, DEL, and C1 controls (which some terminals act on too). */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085]/g

/** One line, no control characters: for remote text inside our own sentences. */
export function flattenRemoteText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(/\t/g, ' ').replace(CONTROLS, '')
}

/** Keeps line breaks (as `\n`) and tabs, drops every other control character: for text shown on a terminal. */
export function withoutTerminalControls(text: string): string {
  return text.replace(/\r\n|\r/g, '\n').replace(CONTROLS, '')
}

/** A remote value quoted for a message: JSON-escaped, and cut short. */
export function quoteRemoteValue(value: unknown, maxLength = 80): string {
  const quoted = JSON.stringify(value) ?? String(value)
  return quoted.length > maxLength ? `${quoted.slice(0, maxLength)}…` : quoted
}

/**
 * The runner reads each line (split at CR or LF, then trimmed) that starts
 * with `::` or `##[` as a command. Such a line is shown behind a marker.
 */
export function withoutWorkflowCommands(text: string): string {
  return withoutTerminalControls(text)
    .split('\n')
    .map(line => (/^\s*(::|##\[)/.test(line) ? `| ${line}` : line))
    .join('\n')
}
