// What `derivcheck init` writes: a starter scenario and a jest spec in plain JavaScript (the
// project needs no TypeScript), as text, so that they read like files a person wrote.

/** Where the files go, relative to the folder init is given. */
export const STARTER_SCENARIO = 'derivations/backprop-errors.json';
export const STARTER_SPEC = 'derivations.test.js';

/** A scenario with two claims that hold and one refuted on purpose; `schema` is the path to the JSON Schema, for editors. */
export function starterScenario(schema: string): string {
  return `{
  "$schema": ${JSON.stringify(schema)},
  "title": "Starter: the error terms of backpropagation, softmax + cross-entropy, 4-5-3 tanh network",
  "source": "written by derivcheck init: change it, or add your own derivations beside it",
  "seed": 1,
  "trials": 5,
  "model": {
    "inputs": 4,
    "layers": [
      { "units": 5, "activation": "tanh" },
      { "units": 3, "activation": "linear" }
    ],
    "loss": { "type": "softmax-cross-entropy", "reduction": "mean" }
  },
  "data": { "batch": 2, "x": { "normal": [0, 1] }, "labels": { "random": true } },
  "claims": [
    {
      "id": "output-error",
      "says": "∂E/∂net_k = (o_k − y_k)/N",
      "lhs": "grad(E, net2)[n,k]",
      "rhs": "(o[n,k] - y[n,k]) / N",
      "expect": "holds"
    },
    {
      "id": "hidden-error",
      "says": "∂E/∂net_j = (1 − a_j²) Σ_k ∂E/∂net_k · w_jk",
      "lhs": "grad(E, net1)[n,j]",
      "rhs": "(1 - a1[n,j]^2) * sum(k, grad(E, net2)[n,k] * W2[j,k])",
      "expect": "holds"
    },
    {
      "id": "output-error-one-path",
      "says": "∂E/∂net_k = (o_k − 1)/N for every output k (one path through the softmax only)",
      "lhs": "grad(E, net2)[n,k]",
      "rhs": "(o[n,k] - 1) / N",
      "expect": "refuted",
      "note": "Right only for the output that carries the label; the others get o_k/N."
    }
  ]
}
`;
}

export function starterSpec(): string {
  return `// One jest test per claim of the derivations in ./derivations: scenario files (*.json) and
// Markdown files with \`\`\`derivcheck blocks. A claim passes when its verdict is the one it expects.
const { join } = require('node:path');
const { scenarioTests } = require('derivcheck/jest');

scenarioTests(join(__dirname, 'derivations'));
`;
}
