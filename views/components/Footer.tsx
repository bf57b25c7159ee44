import { Text } from 'ink';
import { useTheme } from '../theme.js';

export const KEYS: [string, string][] = [
  ['Tab/1-5', 'panes'],
  ['↑↓ jk', 'move'],
  ['Enter', 'open'],
  ['Esc', 'back'],
  ['/', 'filter'],
  ['t', 'trigger'],
  ['c', 'cancel'],
  ['R', 'retry'],
  ['r', 'rollback'],
  ['p', 'release/canary'],
  ['+/-', 'canary'],
  ['?', 'help'],
  ['q', 'quit'],
];

/** The keys, always on screen; `?` has them all with what they do. */
export function Footer() {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      {KEYS.map(([k, what]) => (
        <Text key={k}>
          <Text bold color={theme.color('accent')}>
            {k}
          </Text>
          {` ${what}  `}
        </Text>
      ))}
    </Text>
  );
}
