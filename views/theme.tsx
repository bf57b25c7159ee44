import { createContext, useContext } from 'react';
import type { Tone } from './format/row.js';

/** Tones to terminal colours; under NO_COLOR every colour is dropped (bold, inverse and the words stay). */
export interface Theme {
  color(tone: Tone | undefined): string | undefined;
  /** The focused pane's border colour, if colours are on. */
  focus?: string;
  colors: boolean;
}

const COLORS: Record<Tone, string> = { ok: 'green', bad: 'red', warn: 'yellow', busy: 'cyan', dim: 'gray', accent: 'magenta' };

export function makeTheme(env: NodeJS.ProcessEnv): Theme {
  const colors = !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  return { colors, focus: colors ? 'cyan' : undefined, color: (tone) => (colors && tone ? COLORS[tone] : undefined) };
}

export const ThemeContext = createContext<Theme>(makeTheme({}));
export const useTheme = (): Theme => useContext(ThemeContext);
