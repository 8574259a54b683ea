/**
 * `algorithmia-promote --json | head` closes the pipe while we may still be
 * writing; Node then raises EPIPE on the stream, which would crash the process
 * with a stack trace. A reader that stopped reading is no failure of ours: the
 * rest of the output is dropped and the run finishes (a promotion is not cut
 * off half-way), ending with its own exit code. Any other stream error is
 * still thrown.
 */
export function toleratePipesClosedByReader(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
      // Later writes would fail the same way; a destroyed stream drops them quietly.
      stream.destroy()
    })
  }
}
