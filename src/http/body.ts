import type { Readable } from 'node:stream'
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
