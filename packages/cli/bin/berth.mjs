#!/usr/bin/env node
// The built CLI (npm run build). One bundled file keeps start-up to a single module load.
import '../dist/berth.mjs';
