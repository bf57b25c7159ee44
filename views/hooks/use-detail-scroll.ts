import { useEffect, useRef } from 'react';
import type { UiState } from '../ui/state.js';
import type { UpdateUi } from './use-ui-state.js';

/** A scrolled-up Detail log stays where it is while new lines arrive below (at the end, it follows them). */
export function useDetailScroll(lines: number, read: () => UiState, update: UpdateUi): void {
  const seen = useRef(0);
  useEffect(() => {
    const grown = lines - seen.current;
    seen.current = lines;
    if (grown > 0 && read().detailScroll > 0) update((u) => ({ ...u, detailScroll: u.detailScroll + grown }));
  }, [lines, read, update]);
}
