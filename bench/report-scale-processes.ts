/** The report of (s)'s many-processes curve: its table and its own section of BENCHMARKS.md. */
import { fmt, ms } from './report-rows.ts';
import { processesTasks, type ProcessesResult } from './scale-processes.ts';

export function processesTable(result: ProcessesResult): string {
  const raw = result.rawParallelCommitsPerSec;
  const lines = ['| worker processes | tasks/s | × 1 process | tasks per raw commit | span | tasks per process |', '| --- | --- | --- | --- | --- | --- |'];
  const one = result.points[0]!.tasksPerSec;
  for (const p of result.points) {
    lines.push(
      `| ${p.processes} | ${fmt(p.tasksPerSec)} | ${fmt(p.tasksPerSec / one, 2)}x | ${fmt(p.tasksPerSec / raw, 2)} | ${ms(p.spanMs)} | ${p.perProcess.map((n) => fmt(n)).join(', ')} |`,
    );
  }
  return lines.join('\n');
}

export const processesSectionStart = '<!-- scale-processes:start -->';
export const processesSectionEnd = '<!-- scale-processes:end -->';

export function processesSection(result: ProcessesResult | undefined): string {
  const body = result
    ? `${processesTable(result)}

- Tasks per raw commit: tasks/s ÷ the raw 16-connection single-row commit rate of the same run
  (${fmt(result.rawParallelCommitsPerSec)} commits/s). Above 1, durably does more than one task per commit: a claim takes
  many tasks in one statement, and the ends of many tasks share a commit.
- ${fmt(processesTasks)} no-op tasks enqueued at once (one set-based INSERT cloning an enqueued task) once every process
  had launched; tasks/s over durably's own record of the span, from the first start to the last end. Every process runs
  on the same 2 cores as Postgres and the rest of the machine's load: past 2 processes, they share CPU more than the
  database.`
    : 'Postgres was not reachable: not measured.';
  return `${processesSectionStart}
### (s) Many processes sharing a no-limit queue (Postgres)

Measured on ${new Date().toISOString()} (\`npm run bench -- --only scale\`, or alone \`--only scale-processes\`).

${body}
${processesSectionEnd}`;
}

/** `report` with the many-processes section replaced (or appended). */
export function withProcessesSection(report: string, section: string): string {
  const start = report.indexOf(processesSectionStart);
  const end = report.indexOf(processesSectionEnd);
  if (start === -1 || end === -1) return `${report.trimEnd()}\n\n${section}\n`;
  return report.slice(0, start) + section + report.slice(end + processesSectionEnd.length);
}

/** The section already in `report`, to keep across a full bench run. */
export function existingProcessesSection(report: string): string | undefined {
  const start = report.indexOf(processesSectionStart);
  const end = report.indexOf(processesSectionEnd);
  return start === -1 || end === -1 ? undefined : report.slice(start, end + processesSectionEnd.length);
}
