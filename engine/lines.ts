/** Splits a byte stream into lines for a callback; `flush()` emits a trailing partial line. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; flush(): void } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString();
      const parts = rest.split(/\r?\n/);
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    },
    flush() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}
