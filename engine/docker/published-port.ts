/** The host to reach a port published on `bind` from this machine: a wildcard bind is reached on loopback. */
export function reachableHost(bind: string): string {
  if (bind === '' || bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '[::1]';
  return bind.includes(':') ? `[${bind}]` : bind;
}
