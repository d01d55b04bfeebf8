#!/usr/bin/env node
import { main } from '../dist/src/cli/kvctl.js';

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`kvctl: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
