// `npm run doctor`: the checklist for the environment it runs in; exit code 1 when a check failed.
import { runDoctor } from './doctor.js';

const report = await runDoctor({ env: process.env });
console.log(report.text);
process.exitCode = report.exitCode;
