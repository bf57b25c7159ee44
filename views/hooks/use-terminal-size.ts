import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** The terminal's columns and rows, updated on resize (SIGWINCH reaches Ink's stdout as 'resize'). */
export function useTerminalSize(fixed?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const [measured, setMeasured] = useState(() => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 }));
  const followed = !fixed;
  useEffect(() => {
    if (!followed) return;
    const onResize = () => setMeasured({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, followed]);
  return fixed ?? measured;
}
