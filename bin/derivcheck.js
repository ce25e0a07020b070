#!/usr/bin/env node
'use strict';
// The derivcheck command: runs the compiled CLI in dist/ (built by `npm ci` / `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`derivcheck: ${entry} is missing: run npm run build\n`);
  process.exit(2);
}
require(entry).run();
