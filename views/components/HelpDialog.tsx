import { Text } from 'ink';
import { Dialog } from './Dialog.js';

const HELP: [string, string][] = [
  ['Tab / Shift-Tab', 'next / previous pane'],
  ['1 2 3 4 5', 'Environments, Builds, Containers, Detail, Releases'],
  ['↑ ↓  j k', 'move in a list (PgUp PgDn g G: page, first, last); scroll the Detail log'],
  ['Enter', 'open the selected build or container in Detail; in Releases: roll back to it'],
  ['Esc', 'back from Detail; clear the filter; close a dialog'],
  ['/', 'filter the focused list (words, any order); Enter keeps it, Esc clears it'],
  ['t', 'trigger a build: choose the project, then the branch (type to narrow)'],
  ['c  R', 'cancel the selected build; R: retry the selected build (same commit, queued again)'],
  ['r', "roll back: the selected project's releases, Enter on one, then y to confirm (production is held after)"],
  ['p', 'release the selected passed build (else the newest) to production, lifting the hold; l: lift the hold only'],
  ['p, then c', 'release it as a canary: ←→ or 1-50 its share (10%), ↑↓ its duration (1m 5m 15m 30m), y releases'],
  ['+  -', "promote / abort the selected project's running canary (asks first; y decides it)"],
  ['← →  h l', 'in Releases: the previous / next project'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit (the daemon keeps running)'],
];

export function HelpDialog({ width, height }: { width: number; height: number }) {
  return (
    <Dialog title="greenci console keys" width={width} height={height}>
      {HELP.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text bold>{k.padEnd(17)}</Text>
          {what}
        </Text>
      ))}
      <Text wrap="truncate-end">Changes to production are recorded in the audit trail under your user name.</Text>
    </Dialog>
  );
}
