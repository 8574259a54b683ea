// proxy-from-env ships no types; this is its one export.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from the *_proxy / NO_PROXY variables, or '' for a direct connection. */
  export function getProxyForUrl(url: string | URL): string
}
