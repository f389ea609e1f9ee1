/** (d) in the report: one row per dashboard read, and the verdict against the 50 ms target. */
import { dashboardShape } from './dashboard.ts';
import { fmt, ms, type Row } from './report-rows.ts';
import type { BackendResult } from './settings.ts';

export const dashboardTargetMs = 50;

export function dashboardRows(results: BackendResult[]): Row[] {
  const answers = results[0]?.dashboard.answers ?? [];
  return answers.map((answer, i) => ({
    figure: `(d) dashboard, ${fmt(dashboardShape.workflows)} workflows in the system database: ${answer.what}: median (slowest of ${dashboardShape.runs})`,
    cells: (r) => {
      const mine = r.dashboard.answers[i]!;
      return [`${ms(mine.medianMs)} (${ms(mine.maxMs)})`, `${mine.rows} rows in the answer`];
    },
    target: `< ${dashboardTargetMs} ms`,
  }));
}

export function dashboardVerdict(r: BackendResult): string {
  const { answers, fillSeconds, workflows } = r.dashboard;
  const slow = answers.filter((a) => a.medianMs >= dashboardTargetMs);
  return (
    `- ${r.backend} dashboard: with ${fmt(workflows)} workflows (put there in ${fmt(fillSeconds, 1)} s), every read's median answer ` +
    (slow.length === 0
      ? `is under ${dashboardTargetMs} ms (target: met); the slowest median ${ms(Math.max(...answers.map((a) => a.medianMs)))}.`
      : `is under ${dashboardTargetMs} ms but ${slow.map((a) => `${a.what} (${ms(a.medianMs)})`).join(', ')} (target: NOT met).`)
  );
}
