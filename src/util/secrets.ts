/**
 * Every form in which an API key could travel, registered once so that the
 * runner masks it and our own messages can be scrubbed before they leave.
 */
export type SecretSink = (secret: string) => void

export function derivedForms(owner: string, key: string): string[] {
  const basicCredential = Buffer.from(`${owner}:${key}`).toString('base64')
  return [
    key,
    encodeURIComponent(key),
    key.replaceAll('/', '%2F'),
    Buffer.from(key).toString('base64'),
    basicCredential,
    // base64 of "owner:key" without padding, as some tools print it.
    basicCredential.replace(/=+$/, '')
  ]
}

export class SecretRegistry {
  private readonly secrets = new Set<string>()

  constructor(private readonly sink: SecretSink = () => {}) {}

  /** Registers a key and its derived forms; returns the key for convenience. */
  registerKey(owner: string, key: string): string {
    for (const form of derivedForms(owner, key)) this.add(form)
    return key
  }

  /** Registers credentials found in the inputs: API keys with their derived forms, tokens as they are. */
  registerAll(secrets: readonly { readonly value: string; readonly owner?: string }[]): void {
    for (const secret of secrets) {
      if (secret.owner === undefined) this.add(secret.value)
      else this.registerKey(secret.owner, secret.value)
    }
  }

  add(secret: string): void {
    // Masking very short strings would blank out ordinary words in logs.
    if (secret.length < 4 || this.secrets.has(secret)) return
    this.secrets.add(secret)
    this.sink(secret)
  }

  /** Replaces every registered secret in `text` with `***`. */
  redact(text: string): string {
    let result = text
    // Longest first, so a key inside its own base64 form cannot leave a fragment.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join('***')
    }
    return result
  }
}
