// The load generator is part of greenci itself (`greenci demo --tour` measures with it); tests use the same one.
export { answerRuns, type LoadResult, type LoadRun, type LoadSample, startLoad, versionOf } from '../../src/demo/load.js';
