import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseImages, checkDockerfile } from '../../engine/docker/dockerfile.js';
import { GREEN_PROJECT } from '../helpers/origin.js';

describe('base images of a Dockerfile', () => {
  it('lists FROM images, skipping scratch and earlier stages', () => {
    const text = [
      '# build',
      'FROM greenci/node:20-local AS build',
      'RUN x',
      'FROM scratch',
      'COPY --from=build /a /a',
      'FROM build AS again',
      'from alpine:3 as x',
    ].join('\n');
    expect(baseImages(text)).toEqual(['greenci/node:20-local', 'alpine:3']);
  });

  it('expands ARGs (defaults and build args) and skips --platform flags', () => {
    const text = 'ARG BASE=greenci/node\nARG TAG="20-local"\nFROM --platform=linux/amd64 ${BASE}:$TAG';
    expect(baseImages(text)).toEqual(['greenci/node:20-local']);
    expect(baseImages(text, { TAG: '22' })).toEqual(['greenci/node:22']);
  });

  it('joins continued lines', () => {
    expect(baseImages('FROM \\\n  busybox:local')).toEqual(['busybox:local']);
  });
});

/** The refusals of a Dockerfile (text or bytes), with greenci's build args. */
const refusals = (text: string | Uint8Array, args: Record<string, string> = {}) => checkDockerfile(text, args).refusals;
const REMOTE = /remote sources are refused \(the engine would fetch them from the host's own network\)/;
const FOREIGN = /neither an earlier stage of this Dockerfile nor an image it builds FROM; a build may not read other images/;

describe('the Dockerfile check: remote ADD', () => {
  it.each([
    ['a URL on the host loopback', 'FROM b\nADD http://127.0.0.1:8000/secret /s\n', 2],
    ['a lower-case instruction and an upper-case scheme', 'from b\nadd HTTPS://example.com/x /x\n', 2],
    ['a git repository', 'FROM b\nADD git@github.com:acme/x.git /src\n', 2],
    ['the JSON form', 'FROM b\nADD ["http://127.0.0.1/secret", "/s"]\n', 2],
    ['an instruction name split by a continued line', 'FROM b\nAD\\\nD http://127.0.0.1/secret /s\n', 2],
    ['a comment and a blank line inside a continued line', 'FROM b\nADD \\\n# a comment\n\n  http://127.0.0.1/secret /s\n', 2],
    ['a backtick escape directive continuing the line', '# escape=`\nFROM b\nADD `\n  http://127.0.0.1/secret /s\n', 3],
    [
      'a backslash that no longer continues under a backtick escape',
      '# escape=`\nFROM b\nRUN echo \\\nADD http://127.0.0.1/secret /s\n',
      4,
    ],
    ['a byte-order mark and CRLF line ends', '\ufeffFROM b\r\nADD http://127.0.0.1/secret /s\r\n', 2],
  ])('refuses %s, naming the line', (_, text, line) => {
    const r = refusals(text);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(new RegExp(`^line ${line}: ADD: `));
    expect(r[0]).toMatch(REMOTE);
  });

  it('refuses --checksum and --keep-git-dir (they only serve remote sources), and sources a variable or quotes could turn into a URL', () => {
    expect(refusals('FROM b\nADD --checksum=sha256:0123 http://127.0.0.1/x /x\n')).toEqual([
      'line 2: ADD: --checksum is refused: it only serves remote sources, which greenci does not fetch',
      expect.stringMatching(REMOTE),
    ]);
    expect(refusals('FROM b\nADD --keep-git-dir=true x /x\n')).toEqual([
      'line 2: ADD: --keep-git-dir is refused: it only serves remote sources, which greenci does not fetch',
    ]);
    for (const src of ['h"ttp"://127.0.0.1/x', '$URL', '${URL}', 'http\\://127.0.0.1/x']) {
      expect(refusals(`FROM b\nARG URL=http://127.0.0.1/x\nADD ${src} /x\n`)).toEqual([
        expect.stringMatching(/^line 3: ADD: .*sources with variables, quotes or escapes are refused \(they could spell a URL\)/),
      ]);
    }
    expect(refusals('FROM b\nADD app.tar.gz /app/\nADD ["with space.txt", "/x"]\n')).toEqual([]); // local files still ADD
  });
});

describe('the Dockerfile check: images a build reads', () => {
  it('refuses COPY --from and RUN --mount from= of an image the file does not build FROM', () => {
    expect(refusals('FROM b\nCOPY --from=other-billing:v1.0.0-prod /app /stolen\n')).toEqual([
      expect.stringMatching(/^line 2: COPY: --from=other-billing:v1\.0\.0-prod: /),
    ]);
    expect(refusals('FROM b\nCOPY --from=victim /a /b\n')[0]).toMatch(FOREIGN);
    expect(refusals('FROM b\nRUN --mount=type=bind,from=victim,target=/v cat /v/secret\n')).toEqual([
      expect.stringMatching(/^line 2: RUN: --mount from=victim: neither an earlier stage/),
    ]);
    expect(refusals('FROM b\nRUN --mount=type=cache,from=victim,target=/v true\n')[0]).toMatch(FOREIGN);
  });

  it('is not fooled by quoting, escapes, case, split words, later stages or variables', () => {
    expect(refusals('FROM b\nCOPY --"fr"om=victim /a /b\n')[0]).toMatch(FOREIGN); // the engine drops the quotes
    expect(refusals('FROM b\nCOPY --fr\\om=victim /a /b\n')[0]).toMatch(FOREIGN);
    expect(refusals('FROM b\ncopy --chown=1 --from=victim /a /b\n')[0]).toMatch(FOREIGN);
    expect(refusals('FROM b\nCOPY --FROM=victim /a /b\n')).toHaveLength(1); // an unknown flag to the engine, refused here
    expect(refusals('FROM b\nCOPY --from victim /a /b\n')).toEqual([
      'line 2: COPY: write --from=<value> (a flag and its value in one word)',
    ]);
    expect(refusals('FROM b\nCOPY --from=$X /a /b\n')).toEqual([
      'line 2: COPY: --from=$X: variables are refused in --from (write the stage name)',
    ]);
    expect(refusals('FROM b\nCOPY --from=0 /a /b\n')).toEqual(['line 2: COPY: --from=0: no earlier stage has that index']);
    expect(refusals('FROM b\nCOPY --from=later /a /b\nFROM b AS later\n')[0]).toMatch(FOREIGN); // the classic builder reads a later name as an image
    // Go's flag splitter treats byte 0xA0 (the second byte of U+0120) as a blank: two words there
    expect(refusals('FROM b\nCOPY --chown=1\u0120--from=victim /a /b\n')[0]).toMatch(FOREIGN);
    const bytes = Buffer.concat([Buffer.from('FROM b\nCOPY --chown=1'), Buffer.from([0xa0]), Buffer.from('--from=victim /a /b\n')]);
    expect(refusals(bytes)).toEqual(['the Dockerfile is not valid UTF-8']);
  });

  it('lets a build copy from its earlier stages (by name in any case, or index) and from images it builds FROM', () => {
    const text =
      'FROM other:1 AS dep\nFROM base:1 AS Build\nCOPY --from=dep /a /a\nFROM scratch\nCOPY --from=0 /a /a\nCOPY --from=BUILD /b /b\nCOPY --from=base:1 /c /c\nRUN --mount=type=cache,target=/cache --mount=type=bind,from=build,target=/b true\n';
    expect(checkDockerfile(text)).toEqual({ baseImages: ['other:1', 'base:1'], refusals: [] });
  });

  it('refuses FROM names it cannot read one way only', () => {
    expect(refusals('FROM "victim"\n')).toEqual([
      expect.stringMatching(/^line 1: FROM: the image .*uses quoting, escapes or \$\{\.\.\.\} forms greenci does not evaluate/),
    ]);
    expect(refusals('ARG X\nFROM ${X:-victim}\n')[0]).toMatch(/does not evaluate/);
    expect(refusals('FROM $NOPE\n')).toEqual(['line 1: FROM: the image "$NOPE": $NOPE is not an ARG declared before the first FROM']);
    expect(refusals('FROM b\nARG X=victim\nFROM $X\n')[0]).toMatch(/\$X is not an ARG declared before the first FROM/); // a stage's ARG is not seen by FROM
    expect(refusals('ARG X\nFROM $X\n')[0]).toMatch(/\$X has no value/);
    expect(refusals('ARG X="vic"tim\nFROM $X\n')[0]).toMatch(/the ARG X has a default greenci does not evaluate/);
    expect(refusals('ARG X\nFROM $X\n', { X: 'greenci/node:20-local' })).toEqual([]);
  });
});

describe('the Dockerfile check: what else it refuses', () => {
  it.each([
    [
      'ONBUILD (its instructions run in other builds)',
      'FROM b\nONBUILD ADD http://127.0.0.1/x /x\n',
      /^line 2: ONBUILD: ONBUILD is refused/,
    ],
    ['a syntax directive (a frontend image)', '# syntax=docker/dockerfile:1\nFROM b\n', /^line 1: the `# syntax=` directive is refused/],
    [
      'an escape directive after another directive',
      '# check=skip=all\n# escape=`\nFROM b\n',
      /^line 2: `# escape=` must be the first line/,
    ],
    ['an invalid escape token', '# escape=x\nFROM b\n', /^line 1: invalid escape token "x"/],
    ['RUN --network', 'FROM b\nRUN --network=host wget http://127.0.0.1/\n', /^line 2: RUN: --network=host is refused/],
    [
      'a secret or SSH mount',
      'FROM b\nRUN --mount=type=ssh true\n',
      /^line 2: RUN: --mount type=ssh is refused \(bind, cache and tmpfs only: greenci passes builds no secrets or SSH agents\)/,
    ],
    [
      'a mount with quotes inside',
      'FROM b\nRUN --mount=\'type=bind,"from=victim"\' true\n',
      /^line 2: RUN: --mount with quotes, escapes or blanks is refused/,
    ],
    ['a heredoc', 'FROM b\nRUN <<EOF\ntrue\nEOF\n', /^line 2: RUN: heredocs \(<<EOF\) are refused/],
    ['a flag greenci does not check', 'FROM b\nRUN --security=insecure true\n', /^line 2: RUN: the flag "--security" is refused/],
    ['an unknown instruction', 'FROM b\nFETCH http://127.0.0.1/\n', /^line 2: FETCH: not an instruction greenci knows/],
    ['an instruction before FROM', 'COPY --from=victim /a /b\nFROM b\n', /^line 1: COPY: comes before the first FROM/],
  ])('refuses %s', (_, text, message) => {
    expect(refusals(text)[0]).toMatch(message);
  });

  it('refuses BUILDKIT_* build args (BUILDKIT_SYNTAX picks a frontend image)', () => {
    expect(refusals('FROM b\n', { BUILDKIT_SYNTAX: 'victim' })).toEqual([
      'build arg BUILDKIT_SYNTAX is refused: BUILDKIT_* arguments change how the engine builds (a frontend image, say)',
    ]);
  });

  it("passes the sample project's Dockerfiles as they are", () => {
    const bases = {
      billing: 'greenci/node-mysql2:20-local',
      weight: 'greenci/node-mysql2:20-local',
      db: 'greenci/mariadb:10.11-local',
      tests: 'greenci/node:20-local',
    };
    for (const [dir, base] of Object.entries(bases)) {
      expect(checkDockerfile(readFileSync(path.join(GREEN_PROJECT, dir, 'Dockerfile')))).toEqual({
        baseImages: [base],
        refusals: [],
      });
    }
  });
});
