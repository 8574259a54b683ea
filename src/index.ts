/** The action's entry point, bundled into dist/index.js; action.yml runs it as the main step and as the post step. */
import * as core from '@actions/core'
import { run } from './main.js'
import { post } from './post.js'

const IS_POST = 'is-post'

// The main step leaves a mark in the job's state; the post step, started from the same file, sees it.
if (core.getState(IS_POST)) {
  await post()
} else {
  core.saveState(IS_POST, 'true')
  await run()
}
