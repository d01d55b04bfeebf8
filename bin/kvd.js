#!/usr/bin/env node
import { main } from '../dist/src/server/kvd.js';

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`kvd: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
