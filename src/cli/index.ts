#!/usr/bin/env node
/** The command-line tool's entry point, bundled into dist/cli/index.js: the package's `bin`. */
import { toleratePipesClosedByReader } from './closed-pipe.js'
import { runCli } from './run.js'

toleratePipesClosedByReader()
// exitCode, not exit(): stdout may still be flushing the results into a pipe.
process.exitCode = await runCli(process.argv.slice(2), process.env)
