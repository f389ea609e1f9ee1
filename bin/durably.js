#!/usr/bin/env node
// The `durably` command: the built CLI (src/cli/main.ts). See README "## CLI".
import '../dist/cli/main.js';
