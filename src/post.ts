import * as core from '@actions/core'
import { WORK_DIR_STATE } from './main.js'
import { removeWorkDirectory } from './process/work-directory.js'

/**
 * The action's `post:` step: a job cancelled while the main step ran may have
 * killed it before it removed its temporary repositories.
 */
export async function post(): Promise<void> {
  const workDir = core.getState(WORK_DIR_STATE)
  if (workDir) await removeWorkDirectory(workDir, message => core.warning(message))
}
