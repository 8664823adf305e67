/** A planning worker thread (see planPool.ts): the planning tasks with its own HiGHS. */
import { planTaskRunner } from './planTasks.js';
import { highsSolver } from './solver.js';

const solver = highsSolver();
// Load the WebAssembly as the thread starts, not on its first LP.
void solver.solve('Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd\n').catch(() => undefined);

export default planTaskRunner(solver);
