#!/usr/bin/env node
// Entry point of the `zonewall` command (the verbs arrive with the engine).
process.stdout.write("zonewall: no verbs yet\n");
