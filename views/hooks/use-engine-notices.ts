import { useEffect } from 'react';
import { say } from '../ui/state.js';
import type { UpdateUi } from './use-ui-state.js';

/** What the connection does, said on the status line: malformed events dropped (never thrown), a reconnect. */
export function useEngineNotices({ dropped, connectEpoch }: { dropped: number; connectEpoch: number }, update: UpdateUi): void {
  useEffect(() => {
    if (dropped) update((u) => say(u, `ignored ${dropped} malformed event${dropped > 1 ? 's' : ''} from the engine`, 'error'));
  }, [dropped, update]);
  useEffect(() => {
    if (connectEpoch > 1) update((u) => say(u, 'reconnected to the daemon; the snapshot was read again', 'ok'));
  }, [connectEpoch, update]);
}
