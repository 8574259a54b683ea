import * as core from '@actions/core'
import type { Logger } from '../util/log.js'

/** The engine's Logger on a GitHub runner: log groups, warnings as annotations, debug when RUNNER_DEBUG is set. */
export const actionsLogger: Logger = {
  info: message => core.info(message),
  warning: message => core.warning(message),
  debug: message => core.debug(message),
  group: (title, body) => core.group(title, body)
}
