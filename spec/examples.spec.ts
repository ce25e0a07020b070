import { join } from 'node:path';
import { scenarioTests } from '../src/jest';

// The examples (examples/*.md, literate derivations) run as a user's project runs its own: one
// jest test per claim through derivcheck/jest, each claim meeting the verdict its block expects.
scenarioTests(join(__dirname, '..', 'examples'));
