import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../theme.js';

/**
 * A bordered pane with its number and title on the first line. The focused one has a double
 * border (and colour when colours are on), so focus shows under NO_COLOR too.
 */
export function Pane(props: {
  n: number;
  title: string;
  focused: boolean;
  width: number;
  height: number;
  note?: string;
  children: ReactNode;
}) {
  const theme = useTheme();
  return (
    <Box
      flexDirection="column"
      width={props.width}
      height={props.height}
      borderStyle={props.focused ? 'double' : 'single'}
      borderColor={props.focused ? theme.focus : theme.color('dim')}
      overflow="hidden"
    >
      <Text wrap="truncate-end">
        <Text bold inverse={props.focused && !theme.colors} color={props.focused ? theme.focus : undefined}>
          {`${props.n} ${props.title}`}
        </Text>
        {props.note ? <Text color={theme.color('dim')}>{`  ${props.note}`}</Text> : null}
      </Text>
      {props.children}
    </Box>
  );
}
