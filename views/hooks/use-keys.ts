import { useInput } from 'ink';
import { useCallback, useRef } from 'react';
import { type Effect, type KeyContext, onKey } from '../ui/keys.js';
import type { UiState } from '../ui/state.js';
import type { UpdateUi } from './use-ui-state.js';

/**
 * The keyboard: each key goes through the pure key handler with the screen as last drawn (`ctx`),
 * its state change is applied and its effects run. Inactive where stdin is not a terminal.
 */
export function useKeys(ctx: KeyContext, read: () => UiState, update: UpdateUi, run: (effect: Effect) => void, active: boolean): void {
  // the latest screen for a key that arrives before the next render, without taking a new handler each frame
  const screen = useRef(ctx);
  screen.current = ctx;
  const onInput = useCallback<Parameters<typeof useInput>[0]>(
    (input, key) => {
      const before = read();
      const t = onKey(before, input, key, screen.current);
      if (t.ui !== before) update(() => t.ui);
      for (const e of t.effects) run(e);
    },
    [read, update, run],
  );
  useInput(onInput, { isActive: active });
}
