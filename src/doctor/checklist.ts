// The doctor's answer: a checklist, each line a check that passed, warned or failed, each failure with the fix
// that makes it pass. Failures make the exit code non-zero; warnings do not.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  /** What was found, in one sentence. Never a secret. */
  detail: string;
  /** What to change, for a warning or a failure. */
  fix?: string;
}

const marks: Record<CheckStatus, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

export function renderChecklist(checks: readonly Check[]): string {
  const lines = ['Zoom Connect Gateway doctor: this configuration against the real services, connecting no one.', ''];
  for (const check of checks) {
    lines.push(`  ${marks[check.status]} ${check.name}: ${check.detail}`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn')) lines.push(`         fix: ${check.fix}`);
  }
  const failed = checks.filter((check) => check.status === 'fail').length;
  const warned = checks.filter((check) => check.status === 'warn').length;
  lines.push(
    '',
    failed === 0
      ? `Ready: nothing failed${warned ? ` (${plural(warned, 'warning')})` : ''}.`
      : `${plural(failed, 'check')} failed${warned ? `, ${plural(warned, 'warning')}` : ''}.`,
  );
  return lines.join('\n');
}

export const exitCodeOf = (checks: readonly Check[]) => (checks.some((check) => check.status === 'fail') ? 1 : 0);

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
