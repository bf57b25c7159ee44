import { parseDockerfile, parseWords, WORD_SPLIT, type Instruction } from './dockerfile-syntax.js';

/**
 * What greenci learns from a pushed Dockerfile before building it. A pushed repository is
 * untrusted, and the engine runs parts of a build with the host's reach: it fetches `ADD <url>`
 * itself (from the host's own loopback, too), and `COPY --from=<image>` reads any local image.
 * So a Dockerfile is refused when it fetches remote sources or reads an image that is neither one
 * of its own earlier stages nor an image it builds FROM (the build stage then checks those images
 * on the host). Anything the check cannot read one way only is refused too, with the line it is on.
 */
export interface DockerfileCheck {
  /** Images the build reads (FROM lines, minus `scratch` and earlier stages): the build stage checks these on the host. */
  baseImages: string[];
  /** One line per reason the file is refused; empty when it may be built. */
  refusals: string[];
}

/** The base images a Dockerfile builds FROM, minus `scratch` and earlier stages of the same file. */
export function baseImages(dockerfile: string, buildArgs: Record<string, string> = {}): string[] {
  return checkDockerfile(dockerfile, buildArgs).baseImages;
}

const KNOWN_FLAGS: Record<string, string[]> = {
  from: ['platform'],
  copy: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  add: ['chown', 'chmod', 'link', 'exclude'],
  run: ['mount', 'network'],
  healthcheck: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};
const BOOLEAN_FLAGS = new Set(['link', 'parents']);
const INSTRUCTIONS = new Set([
  'from',
  'arg',
  'run',
  'cmd',
  'entrypoint',
  'env',
  'expose',
  'label',
  'maintainer',
  'shell',
  'stopsignal',
  'user',
  'volume',
  'workdir',
  'copy',
  'add',
  'healthcheck',
]);
/** An image reference with nothing the engine would rewrite but `$NAME` / `${NAME}`. */
const IMAGE_WORD = /^(?:[A-Za-z0-9._:/@-]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})+$/;
const PLAIN_VALUE = /^(?:([A-Za-z0-9._:/@-]*)|"([A-Za-z0-9._:/@-]*)"|'([A-Za-z0-9._:/@-]*)')$/;
/** Sources Docker (or BuildKit) fetches over the network: URLs, `git@host:repo`, `github.com/...`. */
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[^/]*@[^/]*:|github\.com\/)/i;

/**
 * Checks a Dockerfile (its text, or its bytes as read from the checkout) with the build args
 * greenci will pass. Pure: the host-side checks of `baseImages` are the build stage's.
 */
export function checkDockerfile(source: string | Uint8Array, buildArgs: Record<string, string> = {}): DockerfileCheck {
  let text: string;
  try {
    text = typeof source === 'string' ? source : new TextDecoder('utf-8', { fatal: true }).decode(source);
  } catch {
    return { baseImages: [], refusals: ['the Dockerfile is not valid UTF-8'] };
  }
  const parsed = parseDockerfile(text);
  const refusals = [...parsed.problems];
  const refuse = (ins: Instruction, why: string) => refusals.push(`line ${ins.line}: ${ins.command.toUpperCase()}: ${why}`);
  for (const name of Object.keys(buildArgs)) {
    if (/^BUILDKIT_/i.test(name))
      refusals.push(`build arg ${name} is refused: BUILDKIT_* arguments change how the engine builds (a frontend image, say)`);
  }

  // FROM lines first: `--from` may name any image the file builds FROM, whatever the order.
  const globalArgs = new Map<string, string | undefined>();
  /** Each stage's name (lower-cased, as the engine looks them up), undefined when it has none. */
  const stages: (string | undefined)[] = [];
  const images: string[] = [];
  for (const ins of parsed.instructions) {
    if (ins.command === 'arg' && stages.length === 0) {
      for (const word of parseWords(ins.args, parsed.escape)) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word : word.slice(0, eq);
        const plain = eq < 0 ? undefined : PLAIN_VALUE.exec(word.slice(eq + 1));
        globalArgs.set(
          name,
          Object.hasOwn(buildArgs, name) ? buildArgs[name] : plain ? (plain[1] ?? plain[2] ?? plain[3]) : eq < 0 ? undefined : UNREADABLE,
        );
      }
    }
    if (ins.command !== 'from') continue;
    const words = ins.args === '' ? [] : ins.args.split(WORD_SPLIT);
    const named = words.length === 3 && words[1].toLowerCase() === 'as';
    if (words.length !== 1 && !named) refuse(ins, 'expected `FROM <image>` or `FROM <image> AS <name>`');
    const image = words.length === 1 || named ? expandImage(words[0], globalArgs, (why) => refuse(ins, why)) : undefined;
    if (image !== undefined && image !== 'scratch' && !stages.includes(image.toLowerCase())) images.push(image);
    stages.push(named ? words[2].toLowerCase() : undefined);
  }

  // Then every instruction in order, knowing which stages come before it.
  let stage = -1;
  for (const ins of parsed.instructions) {
    if (!INSTRUCTIONS.has(ins.command)) {
      refuse(
        ins,
        ins.command === 'onbuild'
          ? 'ONBUILD is refused: its instructions run in other builds, unchecked'
          : 'not an instruction greenci knows',
      );
      continue;
    }
    if (ins.command === 'from') stage++;
    else if (stage < 0 && ins.command !== 'arg') refuse(ins, 'comes before the first FROM');
    const earlierStages = stages.slice(0, Math.max(stage, 0)).filter((n): n is string => n !== undefined);
    const checkFrom = (value: string, what: string) => {
      const why = fromProblem(value, stage, earlierStages, images);
      if (why) refuse(ins, `${what}=${value}: ${why}`);
    };
    for (const flag of ins.flags) {
      const eq = flag.indexOf('=');
      const name = (eq < 0 ? flag.slice(2) : flag.slice(2, eq)).toLowerCase();
      const value = eq < 0 ? undefined : flag.slice(eq + 1);
      if (ins.command === 'add' && (name === 'checksum' || name === 'keep-git-dir'))
        refuse(ins, `--${name} is refused: it only serves remote sources, which greenci does not fetch`);
      else if (!(KNOWN_FLAGS[ins.command] ?? []).includes(name))
        refuse(ins, `the flag ${JSON.stringify(flag.slice(0, eq < 0 ? undefined : eq))} is refused (not one greenci checks)`);
      else if (value === undefined && !BOOLEAN_FLAGS.has(name)) refuse(ins, `write --${name}=<value> (a flag and its value in one word)`);
      else if (name === 'from') checkFrom(value!, '--from');
      else if (name === 'network' && value !== 'none')
        refuse(ins, `--network=${value} is refused: RUN steps get the network greenci gives the build`);
      else if (name === 'mount')
        checkMount(
          value!,
          (why) => refuse(ins, why),
          (from) => checkFrom(from, '--mount from'),
        );
    }
    if (['run', 'copy', 'add'].includes(ins.command) && ins.args.split(WORD_SPLIT).some((w) => /^\d*<<-?/.test(w))) {
      refuse(ins, 'heredocs (<<EOF) are refused: put the script or file in the repository and COPY it');
    }
    if (ins.command === 'add') checkAddSources(ins, (why) => refuse(ins, why));
  }
  return { baseImages: [...new Set(images)], refusals };
}

const UNREADABLE = '\0unreadable';

/** The image a FROM word names, with global ARGs put in; undefined (and a refusal) when it cannot be read one way only. */
function expandImage(word: string, args: Map<string, string | undefined>, refuse: (why: string) => void): string | undefined {
  if (!IMAGE_WORD.test(word)) {
    refuse(
      `the image ${JSON.stringify(word)} uses quoting, escapes or \${...} forms greenci does not evaluate; write the name, or $NAME of an ARG`,
    );
    return undefined;
  }
  let problem: string | undefined;
  const image = word.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
    const value = args.get(name);
    if (!args.has(name)) problem ??= `$${name} is not an ARG declared before the first FROM`;
    else if (value === undefined) problem ??= `$${name} has no value (give the ARG a default, or a build arg in greenci.yml)`;
    else if (value === UNREADABLE)
      problem ??= `the ARG ${name} has a default greenci does not evaluate (quotes inside, escapes or variables); write it plainly`;
    return value ?? '';
  });
  if (problem) {
    refuse(`the image ${JSON.stringify(word)}: ${problem}`);
    return undefined;
  }
  return image;
}

/** Why a `--from` value may not be read, or undefined when it names an earlier stage or an image the file builds FROM. */
function fromProblem(value: string, stage: number, earlierStages: string[], images: string[]): string | undefined {
  if (value.includes('$')) return 'variables are refused in --from (write the stage name)';
  if (/^\d+$/.test(value)) return Number(value) < stage ? undefined : 'no earlier stage has that index';
  if (earlierStages.includes(value.toLowerCase()) || images.includes(value)) return undefined;
  return 'neither an earlier stage of this Dockerfile nor an image it builds FROM; a build may not read other images (write `FROM <image> AS <name>` and copy from that stage)';
}

/** `RUN --mount=type=...,from=...`: bind and cache mounts may read earlier stages and FROM images only; no secrets or SSH agents. */
function checkMount(value: string, refuse: (why: string) => void, checkFrom: (from: string) => void): void {
  if (/["'\\`\s]/.test(value)) {
    refuse('--mount with quotes, escapes or blanks is refused: write plain key=value fields');
    return;
  }
  const fields = value.split(',').map((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? [f.toLowerCase(), ''] : [f.slice(0, eq).toLowerCase(), f.slice(eq + 1)];
  });
  const type = (fields.find(([k]) => k === 'type')?.[1] ?? 'bind').toLowerCase();
  if (!['bind', 'cache', 'tmpfs'].includes(type))
    refuse(`--mount type=${type} is refused (bind, cache and tmpfs only: greenci passes builds no secrets or SSH agents)`);
  for (const [k, v] of fields) if (k === 'from') checkFrom(v);
}

/** ADD fetches URLs and git repositories on the host's network: only plain local paths pass. */
function checkAddSources(ins: Instruction, refuse: (why: string) => void): void {
  let words: string[] | undefined;
  if (ins.args.startsWith('[')) {
    try {
      const json: unknown = JSON.parse(ins.args);
      if (Array.isArray(json) && json.every((s) => typeof s === 'string')) words = json;
    } catch {
      /* not JSON: the engine splits it on blanks */
    }
  }
  words ??= ins.args === '' ? [] : ins.args.split(WORD_SPLIT);
  for (const src of words.slice(0, -1)) {
    if (REMOTE.test(src))
      refuse(
        `${src}: remote sources are refused (the engine would fetch them from the host's own network); fetch it elsewhere and COPY it from the repository`,
      );
    else if (/[$"'\\`]/.test(src))
      refuse(`${src}: sources with variables, quotes or escapes are refused (they could spell a URL); write the path plainly or use COPY`);
  }
}
