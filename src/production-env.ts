/**
 * React and Ink choose their build by NODE_ENV when they are first loaded, and nothing sets it for a
 * command line: unset, they run their development builds. Those are slower, and React 19's
 * development build records every render in the process's performance timeline (PerformanceMeasure
 * entries that nothing clears), so a console left open grew without bound (issue 11). The
 * production builds, then, unless whoever started greenci chose a NODE_ENV themselves.
 *
 * This module is bin.ts's first import: ES modules are evaluated in import order, so this runs
 * before anything that can load React.
 */
if (process.env.NODE_ENV === undefined || process.env.NODE_ENV === '') process.env.NODE_ENV = 'production';
