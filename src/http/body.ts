import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream'
import type { Response } from 'node-fetch'

/** The body as text, or undefined once it passes `limit` bytes (the rest is never read). */
export async function readCapped(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return ''
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > limit) {
      discardBody(response)
      return undefined
    }
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The rest of an answer is not wanted: close its stream (node-fetch's body is a Node stream). */
export function discardBody(response: Response): void {
  const body = response.body as Readable | null
  body?.destroy()
}

/** A body to send turned out longer or shorter than the length declared for it; nothing past the declared length was sent. */
export class BodyLengthError extends Error {
  constructor(
    readonly declared: number,
    /** Bytes seen before the mismatch showed: more than `declared` (cut there), or fewer (the body ended). */
    readonly seen: number
  ) {
    super(
      seen > declared
        ? `the body was longer than the ${declared} bytes declared for it; it was stopped there and not sent whole`
        : `the body ended after ${seen} of the ${declared} bytes declared for it`
    )
    this.name = 'BodyLengthError'
  }
}

/**
 * Lets exactly `size` bytes through. The bytes that complete the declared length are held back until
 * the body has ended, so a body that turns out longer or shorter fails before the receiver has a whole
 * body: it never stores the wrong bytes, and no byte past the declared length reaches the connection,
 * where a server would read it as the start of another request (with our next request's headers).
 */
export function exactLength(size: number, onMismatch: (error: BodyLengthError) => void): Transform {
  let seen = 0
  let last: Buffer | undefined
  const fail = (done: TransformCallback): void => {
    const error = new BodyLengthError(size, seen)
    onMismatch(error)
    done(error)
  }
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > size) return fail(done)
      if (seen < size) return done(null, chunk)
      last = last ? Buffer.concat([last, chunk]) : chunk
      done()
    },
    flush(done) {
      if (seen !== size) return fail(done)
      done(null, last)
    }
  })
}

/**
 * An upload body as it goes on the wire: held to its declared size (see
 * exactLength), and touching the idle timer as it moves. A failing source
 * fails the upload, which drops its connection.
 */
export function sendable(
  body: Readable,
  size: number | undefined,
  touch: () => void,
  onMismatch: (error: BodyLengthError) => void
): Readable {
  const sent = touching(touch)
  if (size === undefined) {
    body.once('error', error => sent.destroy(error))
    return body.pipe(sent)
  }
  pipeline(body, exactLength(size, onMismatch), sent, () => {})
  return sent
}

/** Passes bytes through, telling `touch` of each chunk: the idle timer sees a transfer that still moves. */
export function touching(touch: () => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      touch()
      done(null, chunk)
    }
  })
}

/** Aborts a transfer after `ms` without progress. */
export class IdleTimer {
  private readonly controller = new AbortController()
  private timer?: NodeJS.Timeout

  constructor(private readonly ms: number) {
    this.touch()
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  touch(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.controller.abort(new DOMException('idle', 'TimeoutError')), this.ms)
  }

  stop(): void {
    clearTimeout(this.timer)
  }
}
