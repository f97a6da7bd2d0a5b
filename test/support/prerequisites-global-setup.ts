// vitest globalSetup: says at the start of the run, in one message, what this machine lacks for the suite.
// The run goes on: the tests that do not need the missing piece still run, and those that do fail with the
// same explanation (never a silent skip).
import { missingPrerequisites, prerequisitesMessage } from './prerequisites.js';

export default function setup(): void {
  const missing = missingPrerequisites();
  if (missing.length > 0) console.error(`\n${prerequisitesMessage(missing)}\n`);
}
