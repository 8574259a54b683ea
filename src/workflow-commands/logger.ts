import * as core from '@actions/core'
import type { Logger } from '../util/log.js'
import { withoutWorkflowCommands } from '../util/remote-text.js'

/**
 * The engine's Logger on a GitHub runner: log groups, warnings as annotations,
 * debug when RUNNER_DEBUG is set. A failed promotion is a plain line here: main.ts
 * gives each failure its one `::error::` annotation, with a title, at the end. Messages carry text from clusters; a line of
 * it must never reach the runner as a workflow command. Annotations and debug
 * lines are commands whose data @actions/core escapes; plain lines are not, so
 * they lose any line that would read as one.
 */
export const actionsLogger: Logger = {
  info: message => core.info(withoutWorkflowCommands(message)),
  warning: message => core.warning(message),
  error: message => core.info(withoutWorkflowCommands(message)),
  debug: message => core.debug(message),
  group: (title, body) => core.group(title, body)
}
