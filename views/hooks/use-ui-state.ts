import { useCallback, useRef, useState } from 'react';
import { initialUi, type UiState } from '../ui/state.js';

/** Changes the console's own state; each change sees the one before it, even between renders. */
export type UpdateUi = (fn: (u: UiState) => UiState) => void;

/**
 * The console's own state (focus, cursors, filters, dialogs, messages). `read` and `update` never
 * change: effects and key handlers can hold them, and several changes between two renders (keys
 * typed fast, a reply arriving) each build on the last rather than on what was last drawn.
 */
export function useUiState(): { ui: UiState; read: () => UiState; update: UpdateUi } {
  const [ui, setUi] = useState<UiState>(initialUi);
  const current = useRef(ui);
  const read = useCallback(() => current.current, []);
  const update = useCallback<UpdateUi>((fn) => {
    current.current = fn(current.current);
    setUi(current.current);
  }, []);
  return { ui, read, update };
}
