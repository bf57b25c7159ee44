/**
 * Splits a Dockerfile into instructions the way the Docker engine's own parser does
 * (moby/buildkit frontend/dockerfile/parser: parser directives, the escape token, line
 * continuations, comments inside continued lines, `--flag` words). The Dockerfile check reads
 * instructions through this, so a syntax trick that hides an instruction from the check hides it
 * from the engine too. Where Docker versions read a file differently, this reports a problem
 * instead of picking one reading.
 */

/** One instruction, as the engine splits it. */
export interface Instruction {
  /** 1-based line the instruction starts on. */
  line: number;
  /** Lower-cased, as the engine matches it: `from`, `copy`, `add`... */
  command: string;
  /** The leading `--name[=value]` words, with quotes and backslashes removed as the engine removes them. */
  flags: string[];
  /** The rest after the flags, trimmed. */
  args: string;
}

export interface ParsedDockerfile {
  instructions: Instruction[];
  /** The escape token: `\` unless a first-line `# escape=` directive says `` ` ``. */
  escape: '\\' | '`';
  /** Directives greenci will not build with, or could not read one way only. */
  problems: string[];
}

/** Go's unicode.IsSpace: what the engine trims and splits on (JavaScript's \s differs). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
/** The engine splits an instruction's words on ASCII blanks only. */
export const WORD_SPLIT = /[\t\v\f\r ]+/;
const DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;

export const isGoSpace = (ch: string): boolean => GO_SPACE.test(ch);

export function trimLeftGo(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s[i])) i++;
  return s.slice(i);
}

export function trimGo(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s[end - 1])) end--;
  return trimLeftGo(s.slice(0, end));
}

const isComment = (line: string): boolean => trimLeftGo(line).startsWith('#');

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text
    .replace(/^\ufeff/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const problems: string[] = [];
  let escapeToken: '\\' | '`' = '\\';

  // Parser directives: only in the run of `# key=value` lines at the very top. Docker versions
  // disagree on which keys keep that run going, so `escape` is honoured on the first line only.
  let directiveCount = 0;
  for (const [i, raw] of lines.entries()) {
    const m = DIRECTIVE.exec(trimLeftGo(raw));
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key === 'escape') {
      if (directiveCount > 0)
        problems.push(
          `line ${i + 1}: \`# escape=\` must be the first line (after another directive, Docker versions disagree on whether it counts)`,
        );
      else if (m[2] === '\\' || m[2] === '`') escapeToken = m[2];
      else problems.push(`line ${i + 1}: invalid escape token ${JSON.stringify(m[2])} (only \\ or \`)`);
    } else if (key === 'syntax') {
      problems.push(
        `line ${i + 1}: the \`# syntax=\` directive is refused: it names a builder frontend image to pull and run; greenci builds with the engine's own Dockerfile parser`,
      );
    }
    directiveCount++;
  }

  const continuation = new RegExp(`\\${escapeToken}[ \\t]*$`);
  const trimContinuation = (line: string): [string, boolean] =>
    continuation.test(line) ? [line.replace(continuation, ''), false] : [line, true];
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    const first = trimLeftGo(lines[i]);
    let [line, ended] = trimContinuation(first.startsWith('#') ? '' : first);
    if (ended && line === '') continue;
    // a continued instruction skips comment lines and blank lines, and joins the rest with nothing between
    while (!ended && i + 1 < lines.length) {
      const raw = lines[++i];
      if (isComment(raw)) continue;
      if (trimLeftGo(raw) === '') continue;
      let part: string;
      [part, ended] = trimContinuation(raw);
      line += part;
    }
    instructions.push({ line: start + 1, ...splitCommand(line) });
  }
  return { instructions, escape: escapeToken, problems };
}

function splitCommand(line: string): { command: string; flags: string[]; args: string } {
  const trimmed = trimGo(line);
  const at = trimmed.search(WORD_SPLIT);
  const command = (at < 0 ? trimmed : trimmed.slice(0, at)).toLowerCase();
  if (at < 0) return { command, flags: [], args: '' };
  const { rest, flags } = extractFlags(trimmed.slice(at).replace(/^[\t\v\f\r ]+/, ''));
  return { command, flags, args: trimGo(rest) };
}

/**
 * The engine's extractBuilderFlags. It walks the UTF-8 *bytes* and asks unicode.IsSpace of each
 * byte as if it were a character, so bytes 0x85 and 0xA0 (inside many multi-byte characters)
 * end a word there: walk the same bytes. Flag words keep the older parser's reading (a flag
 * without `=` takes no value): newer parsers only ever read more words as flags, never fewer.
 */
function extractFlags(line: string): { rest: string; flags: string[] } {
  const bytes = Buffer.from(line, 'utf8');
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
  const restAt = (pos: number) => bytes.subarray(pos).toString('utf8');
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word: number[] = [];
  let quote = 0;
  let blankOk = false;
  const wordText = () => Buffer.from(word).toString('latin1');
  for (let pos = 0; pos <= bytes.length; pos++) {
    const ch = pos < bytes.length ? bytes[pos] : -1;
    if (phase === 'spaces') {
      if (pos === bytes.length) break;
      if (isSpace(ch)) continue;
      if (ch !== 0x2d || pos + 1 === bytes.length || bytes[pos + 1] !== 0x2d) return { rest: restAt(pos), flags };
      phase = 'word';
    }
    if (pos === bytes.length) {
      if (wordText() !== '--' && (blankOk || word.length > 0)) flags.push(wordText());
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (wordText() === '--') return { rest: restAt(pos), flags };
        if (blankOk || word.length > 0) flags.push(wordText());
        word = [];
        blankOk = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      if (ch === 0x5c) {
        if (pos + 1 === bytes.length) continue;
        pos++;
      }
      word.push(bytes[pos]);
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === 0x5c) {
      if (pos + 1 === bytes.length) {
        phase = 'word';
        continue;
      }
      pos++;
    }
    word.push(bytes[pos]);
  }
  return { rest: '', flags };
}

/** The engine's parseWords (ARG, ENV, LABEL): words split on spaces outside quotes, quotes kept. */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  const chars = [...rest];
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos];
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isGoSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOk || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        ch = chars[++pos];
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos];
    }
    word += ch;
  }
  return words;
}
