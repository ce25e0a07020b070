// The package's main entry (`require('derivcheck')`, `import … from 'derivcheck'`): check
// scenario files or a scenario object, and get the JSON report. Jest helpers: 'derivcheck/jest'.

export { check, checkScenario } from './api/check';
export type { DerivcheckOptions } from './api/options';
export type { JsonReport } from './report/jsonReport';
export type { BackendChoice } from './tfjs/backendChoices';
