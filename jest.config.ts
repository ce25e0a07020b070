import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // tfjs and wasm start-up dominate; scenario specs run claims sequentially inside one file.
  testTimeout: 120_000,
  // jest's default is cores − 1, i.e. one worker on the 2-core CI machines
  maxWorkers: 2,
};

export default config;
