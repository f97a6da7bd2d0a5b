// `npm run doctor`: the checklist for the environment it runs in (with ./.env or ENV_FILE, as `npm start` reads
// them); exit code 1 when a check failed.
import { loadEnvFile } from '../env-file.js';
import { runDoctor } from './doctor.js';

try {
  loadEnvFile();
  const report = await runDoctor({ env: process.env });
  console.log(report.text);
  process.exitCode = report.exitCode;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
