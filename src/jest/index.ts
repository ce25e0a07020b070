// The 'derivcheck/jest' entry: call scenarioTests in a spec file of your project (needs jest).

export { scenarioTests, type ScenarioTestsOptions } from './scenarioTests';
export type { BackendChoice } from '../tfjs/backendChoices';
