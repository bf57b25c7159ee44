import type { PaneId } from './state.js';

export interface Box {
  width: number;
  height: number;
}

/**
 * Where the panes go for a terminal size. `compact` (under 120x34, e.g. 80x24): a tab bar and the
 * focused pane filling the screen. `wide`: Environments | Releases, Builds | Containers, and the
 * Detail pane along the bottom. Three lines go to the header, the status line and the key footer,
 * and the last terminal line stays free: Ink clears the whole screen on every frame that fills it.
 */
export type Layout = { mode: 'compact'; width: number; pane: Box } | { mode: 'wide'; width: number; rows: [PaneId, Box][][] };

export const MIN = { width: 40, height: 12 };

export function layout(columns: number, rows: number): Layout {
  const width = Math.max(MIN.width, columns);
  const body = Math.max(MIN.height, rows) - 4;
  if (columns < 120 || rows < 34) return { mode: 'compact', width, pane: { width, height: body - 1 } };
  const left = Math.floor(width * 0.6);
  const right = width - left;
  const top = Math.floor(body * 0.3);
  const middle = Math.floor(body * 0.32);
  const bottom = body - top - middle;
  return {
    mode: 'wide',
    width,
    rows: [
      [
        ['environments', { width: left, height: top }],
        ['releases', { width: right, height: top }],
      ],
      [
        ['builds', { width: left, height: middle }],
        ['containers', { width: right, height: middle }],
      ],
      [['detail', { width, height: bottom }]],
    ],
  };
}

/** Lines of content inside a bordered pane of this box (border and title line taken off). */
export const innerRows = (b: Box): number => Math.max(1, b.height - 3);
export const innerWidth = (b: Box): number => Math.max(1, b.width - 2);
