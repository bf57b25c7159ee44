import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** The terminal's columns and rows, updated on resize (SIGWINCH reaches Ink's stdout as 'resize'). */
export function useTerminalSize(fixed?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return setSize(fixed);
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixed?.columns, fixed?.rows]);
  return size;
}
