/** The report: the table, the verdicts against the targets, and BENCHMARKS.md with how each figure is measured. */
import os from 'node:os';
import type { PingPongResult } from './communication.ts';
import { drainShape, limitedConcurrency } from './queues.ts';
import { httpShape } from './http.ts';
import { clientRows, fmt, httpRows, transactionCommits, transactionRows, floorCost, middlewareCodeCost, middlewareCost, middlewareThroughputDrop, saturatedMiddlewareCost, ms, queueRatio, rows, sqlitePolls, times } from './report-rows.ts';
import { dashboardRows, dashboardVerdict } from './report-dashboard.ts';
import { dashboardShape } from './dashboard.ts';
import { recoveryRows, recoveryVerdict } from './recovery.ts';
import { settings, type BackendResult } from './settings.ts';

export function table(results: BackendResult[]): string {
  const header = ['figure', ...results.flatMap((r) => [r.backend, `${r.backend}: ratio to raw`]), 'target'];
  const lines = [header, header.map(() => '---')];
  for (const row of [...rows, ...transactionRows, ...clientRows, ...httpRows(results), ...dashboardRows(results), ...recoveryRows]) lines.push([row.figure, ...results.flatMap((r) => row.cells(r)), row.target]);
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function verdicts(results: BackendResult[]): string[] {
  return results.flatMap((r) => {
    const median = (r.sequential.medianMs * r.raw.sequentialPerSec) / 1000;
    const groupCommit = r.inFlight.stepsPerSec / r.raw.parallelPerSec;
    const { processCores, machineBusy } = r.inFlight.cpu;
    const bound =
      processCores > 0.9
        ? `this process used ${fmt(processCores, 2)} cores: its one JS thread is saturated (CPU-bound in the process${r.backend === 'sqlite' ? ", SQLite's synchronous calls included" : ''})`
        : machineBusy > 0.85
          ? `the machine was ${fmt(100 * machineBusy)}% busy: CPU-bound (database and JS together)`
          : `this process used ${fmt(processCores, 2)} cores and the machine was ${fmt(100 * machineBusy)}% busy: not CPU-bound, so bound by waiting on the database`;
    const stalled = Math.max(r.sequential.stallMs, r.inFlight.stallMs) > 100;
    const { unlimited, idle, drainOne, drainShared } = r.queues;
    const queueRatioMet = queueRatio(r, unlimited) >= 1 ? 'met' : 'NOT met';
    const drains = [drainOne, drainShared];
    const drainMet = drains.every((d) => d.tasksPerSec >= 0.8 * d.idealPerSec) ? 'met' : 'NOT met';
    const overCap = drains.filter((d) => d.maxRunning > drainShape.concurrency);
    return [
      `- ${r.backend}: sequential median = ${fmt(median, 1)} raw commits (target ≈ 5, met if ≤ 6: ${median <= 6 ? 'met' : 'NOT met'}); ` +
        `${fmt(r.counts.durableCommits, 2)} durable commits per workflow (target ≤ 5: ${r.counts.durableCommits <= 5 ? 'met' : 'NOT met'}); ` +
        `in flight, steps/s = ${times(groupCommit)} the raw 16-connection commit rate (target > 1: ${groupCommit > 1 ? 'met' : 'NOT met'}). ` +
        `During (b) ${bound}. ` +
        `Sequentially, the bare replay of the same writes takes ${fmt((100 * r.counts.replayMedianMs) / r.sequential.medianMs)}% of durably's latency.` +
        (stalled ? ` **The event loop stalled for up to ${fmt(Math.max(r.sequential.stallMs, r.inFlight.stallMs))} ms** (timers and I/O starved).` : ''),
      `- ${r.backend} queues: no-limit throughput = ${times(queueRatio(r, unlimited))} the raw 16-connection commit rate ÷ 3 ` +
        `(target ≥ 1${r.backend === 'postgres' ? `: ${queueRatioMet}` : ' on Postgres; here for comparison'}); ` +
        `idle enqueue-to-start median ${ms(idle.medianMs)} (target < 10 ms: ${idle.medianMs < 10 ? 'met' : 'NOT met'}); ` +
        `a limited queue drains at ${drains.map((d) => `${fmt((100 * d.tasksPerSec) / d.idealPerSec)}%`).join(' (1 process) and ')} ` +
        `(${drainShared.processes} processes) of N/d (target ≥ 80%: ${drainMet}).` +
        (overCap.length ? ` **The concurrency limit was exceeded: ${overCap.map((d) => d.maxRunning).join(', ')} running at once.**` : ''),
      communicationVerdict(r),
      transactionVerdict(r),
      clientVerdict(r),
      ...r.http.map((h) => {
        const code = middlewareCodeCost(h);
        const share = h.durable.perSec / r.inFlight.workflowsPerSec;
        return (
          `- ${r.backend} ${h.framework}: the middleware's code, timed alone, costs ${fmt(code, 1)}% of a no-op POST's server CPU time ` +
          `(target < 5%: ${code < 5 ? 'met' : 'NOT met'}); the whole server's CPU per no-op POST differs by +${fmt(middlewareCost(h), 1)}% ` +
          `at ${fmt(httpShape.fixedRate)} requests/s (saturated +${fmt(saturatedMiddlewareCost(h), 1)}%, ` +
          `requests/s ${fmt(middlewareThroughputDrop(h), 1)}% fewer; measured the same way, the floor app (a header and an AsyncLocalStorage only) differs by +${fmt(floorCost(h), 1)}%); ` +
          `the durable POST reaches ${fmt(100 * share)}% of (b)'s workflows/s (target ≥ 50%: ${share >= 0.5 ? 'met' : 'NOT met'}).`
        );
      }),
      dashboardVerdict(r),
      recoveryVerdict(r),
    ];
  });
}

function transactionVerdict(r: BackendResult): string {
  const parts = (['apart', 'same'] as const).map((placement) => {
    const t = r.transactions[placement];
    if (!t) return `${placement === 'apart' ? 'apart' : 'in the system database'}: not measured`;
    const commits = transactionCommits(t);
    const limit = placement === 'apart' ? 2 : 1;
    const ratio = t.inFlight.workflowsPerSec / r.raw.parallelPerSec;
    return (
      `in ${t.appDatabase}: ${fmt(commits, 2)} durable commits per transaction (target ${limit === 1 ? '= 1' : '≤ 2'}: ${commits <= limit + 0.05 ? 'met' : 'NOT met'}), ` +
      `in flight ${times(ratio)} the raw 16-connection commit rate (target > 1: ${ratio > 1 ? 'met' : 'NOT met'})`
    );
  });
  return `- ${r.backend} transactions: ${parts.join('; ')}.`;
}

function clientVerdict(r: BackendResult): string {
  const { enqueueToStart: start, eventWake: event } = r.client;
  const targets =
    r.backend === 'postgres'
      ? `targets: < 10 ms: ${start.medianMs < 10 ? 'met' : 'NOT met'}; < 5 ms: ${event.medianMs < 5 ? 'met' : 'NOT met'}`
      : `on SQLite another process learns of a write by watching the file (${sqlitePolls}): no target`;
  return `- ${r.backend} client (medians): enqueue → start in a worker ${ms(start.medianMs)}, setEvent → the client's getEvent ${ms(event.medianMs)} (${targets}).`;
}

function communicationVerdict(r: BackendResult): string {
  const { oneProcess: one, twoProcesses: two } = r.communication;
  const both = (p: PingPongResult) => `send → recv ${ms(p.send.medianMs)}, setEvent → getEvent ${ms(p.event.medianMs)}`;
  const met = (p: PingPongResult) => (Math.max(p.send.medianMs, p.event.medianMs) < 5 ? 'met' : 'NOT met');
  const verdict =
    r.backend === 'postgres'
      ? `target: median < 5 ms across processes: ${met(two)}`
      : `target: median < 5 ms in one process: ${met(one)}; across processes (${sqlitePolls}), busy and after idling (issue 17): ` +
        `${met(two)} and ${met(r.communication.idle)}`;
  return (
    `- ${r.backend} messages and events (medians): in 1 process ${both(one)}; across 2 processes ${both(two)} (${verdict}). ` +
    `p99: ${ms(one.send.p99Ms)} / ${ms(one.event.p99Ms)} in 1 process, ${ms(two.send.p99Ms)} / ${ms(two.event.p99Ms)} across 2. ` +
    `A recv idle 0.25 to 2 s in another process wakes in ${ms(r.communication.idle.send.medianMs)} (median; max ${ms(r.communication.idle.send.maxMs)}).`
  );
}

export function markdown(results: BackendResult[], skipped: string | undefined, pgVersion: string | undefined): string {
  const cpus = os.cpus();
  const { sequential: s, inFlight: f, queues: q } = settings;
  return `# Benchmarks

Generated by \`npm run bench\` on ${new Date().toISOString()}. Every figure is printed next to the raw
limit of the same database, measured in the same run, as a ratio: absolute numbers on this machine
mean little, ratios say how close durably gets to the hardware.

- Machine: **2 cores, noisy** (shared with other work: expect ±20% between runs); here ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB.
- Node ${process.version} (${process.platform}/${process.arch}); SQLite ${sqliteVersion()} via node:sqlite, WAL, \`synchronous=FULL\` (durably's default), files under ${os.tmpdir()}.
- Postgres: ${skipped ? `**SKIPPED** (${skipped})` : `${pgVersion} on 127.0.0.1 (same machine), database durably_bench, a fresh schema per scenario; pg pool of 10 (durably's default)`}.

${table(results)}

${verdicts(results).join('\n')}

## How each figure is measured

- **(c) raw limit**: single-row \`INSERT\` (a ~100-byte text) committed on its own, in a loop for ${settings.rawDurationMs / 1000} s after a short warm-up.
  Postgres: one pg client (autocommit: one round trip, one commit), then 16 pg clients in parallel (Postgres groups their WAL flushes).
  SQLite: one \`DatabaseSync\` on a fresh WAL file with \`synchronous=FULL\`; for "16 connections", 16 \`DatabaseSync\` connections
  in 4 worker threads contending through SQLite's busy handler. SQLite has one writer at a time and no group commit across
  connections, so its 16-connection figure is at best its 1-connection figure. Measured before the workflow scenarios
  and after the queue scenarios; the ratios use the mean of the two (both are shown, as a measure of the noise).
- **(a)**: \`await threeStepWorkflow()\` in a loop (steps registered with \`DBOS.registerStep\`, doing nothing); ${s.runs} runs after ${s.warmup} warm-up.
  Ratio = latency × raw 1-connection commits/s: the latency in units of one raw commit. A 3-step workflow needs 5 durable writes
  (start, 3 step outcomes, finish), so about 5 is the target.
- **(b)**: ${f.total} workflows, keeping ${f.concurrency} in flight (each finished workflow starts the next), after ${f.warmup} warm-up.
  Ratio = steps/s ÷ raw 16-connection commits/s: above 1 only if checkpoints of concurrent workflows share commits (group commit).
- **(a')**: the statements of one sequential workflow, captured from the driver, run again ${s.runs} times in a loop by a bare
  driver connection (a fresh workflow ID each time; the Postgres notification left out, as it is not on the workflow's path).
  It is what the database needs for durably's writes; (a) − (a') is durably's own time (JS, pool, scheduling).
- **SQL per workflow**: ${settings.countedWorkflows} sequential workflows in one launch, counted by wrapping the drivers in the bench process
  (\`pg.Client#query\`; node:sqlite \`StatementSync#all/run/get\`, \`DatabaseSync#exec\`). A statement outside \`BEGIN\`..\`COMMIT\` is its own
  transaction; a *durable commit* is a committed transaction that wrote rows. On Postgres, \`pg_stat_database.xact_commit\`
  (read from shutdown to shutdown, minus an empty launch) counts every transaction server-side as a cross-check; it also
  counts, per finished workflow, the transaction in which the LISTEN connection's backend reads the notification (with the
  \`pg_notify\` suppressed, the server count drops from 7 to 5 per workflow).
- **(q1)**: \`DBOS.startWorkflow(noopTask, { queueName })()\` for ${q.throughput.total} no-op workflows on one queue with no limit,
  ${q.throughput.enqueuers} enqueues at a time (each lane enqueues its next task once its last enqueue returned), after ${q.throughput.warmup} warm-up tasks;
  this process's dequeuer claims and runs them meanwhile. Timed from the first enqueue until every task has finished: each
  body counts itself in memory, and once all have run the bench polls the system database (its own connection, every 1 ms)
  until none of the queue's workflows is ENQUEUED or PENDING (every end committed), then checks that all ${q.throughput.warmup + q.throughput.total} succeeded.
  Ratio = tasks/s ÷ (raw 16-connection commits/s ÷ 3): a task needs about three writes (enqueue, dequeue, end), so 1 means
  the queue goes as fast as three raw commits per task.
- **(q2)**: the same through a queue with \`concurrency: ${limitedConcurrency}\`. At most ${limitedConcurrency} tasks run at once, so tasks/s =
  ${limitedConcurrency} ÷ the time each task holds a slot (from its claim to the commit of its end, plus the wait until a claim sees the
  slot free): that time is shown. It is the dequeuer's round trip per task, as a no-op task takes no time itself.
- **(q3)**: one no-op task at a time on its own queue: \`startWorkflow\` then \`getResult\` then a pause of 0 to 19 ms (varying),
  ${q.idle.runs} times after ${q.idle.warmup} warm-up, so every enqueue finds the queue idle (its dequeuer asleep). Latency = from just before the \`startWorkflow\` call to the body's
  first statement, both \`performance.now()\` in this process (the enqueue's own commit included). Cross-check from durably's
  status rows: \`started_at_epoch_ms − created_at\` (\`dequeuedAt − createdAt\`), millisecond resolution.
- **(q4)**: a queue with \`concurrency: ${drainShape.concurrency}\` (N) and tasks whose body awaits a plain \`setTimeout(${drainShape.taskMs})\` (d); ${q.drain.tasks} tasks
  after ${q.drain.warmup} warm-up, enqueued 10 at a time from this process, timed from the first enqueue until the database shows
  none unfinished (polled every 50 ms, then every 1 ms once at most N remain). The limit allows N/d = ${fmt(drainShape.concurrency / (drainShape.taskMs / 1000))} tasks/s;
  the figure is the share of that reached. Run in this process alone, then with ${q.drain.processes - 1} more worker processes
  (\`process.execPath\` with the tsx loader, \`bench/queue-worker.ts\`) on the same database, each with its own \`executorID\` and
  the same \`applicationVersion\`; this process enqueues and works the queue too. "At most … running at once" is the
  largest overlap of the task bodies over all processes (each body records its first and last statement,
  \`performance.timeOrigin + performance.now()\`): it must never exceed N. Tasks per process come from \`executor_id\`.
  On SQLite other processes learn of new tasks only by polling (backing off to the queue's \`minPollingIntervalMs\`, 1 s),
  while the enqueuing process is woken at once by its own enqueues and completions: it usually runs them all.
- **(m), (e)**: a ping-pong, ${settings.communication.runs} rounds after ${settings.communication.warmup} warm-up. A receiver workflow loops \`recv('ping')\` → \`setEvent('pong-<i>', times)\`;
  the sender, outside any workflow, pauses 3 to 10 ms (varying, so the receiver's next \`recv\` is waiting: its deadline write
  and first empty read take about a millisecond), calls \`DBOS.send(id, i, 'ping')\`, then \`DBOS.getEvent(id, 'pong-<i>')\` (a fresh key each
  round, so it waits for a value not yet set). Each half is timed on a clock both processes share,
  \`performance.timeOrigin + performance.now()\` (epoch ms, sub-ms resolution): (m) from just before \`DBOS.send\` (sender) to just
  after \`recv\` returned (receiver), the send's own commit included; (e) from just before \`DBOS.setEvent\` (receiver) to just after
  \`getEvent\` returned (sender), the setEvent's commit included. Each half is measured, not half a round trip. "1 process": the receiver
  workflow started by the sender's process. "2 processes": the receiver workflow started and run by a child process
  (\`process.execPath\` with the tsx loader, \`bench/communication-worker.ts\`, its own \`executorID\`) on the same database; the
  child's clock offset is measured over its stdin/stdout pipe (the exchange with the shortest of 30 round trips) and subtracted.
  "Called before" counts the rounds in which the waiter had been called before the write was (a waiter called but still reading
  would find the value at once: a floor on the waiting rounds, not proof). Ratio = latency × raw 1-connection commits/s.
  Postgres wakes other processes by NOTIFY from the writing statement; SQLite wakes this process's waiters at once and
  other processes' waiters by their safety poll.
- **(m), idle**: the same two-process ping-pong, ${settings.communication.idle.runs} rounds after ${settings.communication.idle.warmup}, the sender pausing ${settings.communication.idle.pausesMs.map((p) => `${p} ms`).join(', ')} in turn before
  each send: how fast a \`recv\` that has waited a while wakes (on SQLite the safety poll has backed off by then).
- **(n)**: the raw limit of a wake-up across connections: \`SELECT pg_notify(channel, i)\` on one pg connection (autocommit)
  until another connection, LISTENing on the channel, receives it; the same pauses and number of rounds as (m), (e), then as (m), idle.
  After an idle pause every round trip on this machine is slower (processes and cores asleep): compare the idle figures
  with each other.
- **(t)**: \`transactionWorkflow\`: one transaction through a data source (a one-row \`INSERT\` into \`bench_items\` of the application
  database, run by the SPI's \`runTransaction\`) and one no-op step. The application database is apart from the system database:
  another SQLite file (\`SQLiteDataSource\`) beside a SQLite system database, the database \`durably_bench_app\`
  (\`NodePostgresDataSource\`, pool of 10) beside a Postgres one; then the system database itself (its SQLite file; its Postgres
  database, the table in the scenario's schema), where a transaction commits with its checkpoint (single commit) and all three
  phases share one system database. (t1) as (a), (t2) as (b) (steps/s counts the transaction and the step),
  durable commits counted as for "SQL per workflow", in both databases; the transaction's own are those beyond the 3 of a one-step
  workflow (start, step, end): its application-database commit (the user's row and the completion row together) and its
  checkpoint. Run last: a data source is initialized at every launch after it is created.
- **(k)**: a \`DBOSClient\` in the bench process (durably not launched there) and a worker child process
  (\`bench/client-worker.ts\`, its own \`executorID\`) on the same database; ${settings.client.runs} rounds after ${settings.client.warmup} warm-up. (k1): after a 3 to 10 ms
  pause, \`client.enqueue\` of a task whose body returns its start time, then \`getResult\`; latency = from just before
  \`enqueue\` to the body's start, so the queue is idle and its dequeuer waiting each time. (k2): \`client.send\` wakes a
  workflow in the worker that calls \`setEvent\` with the time just before it; latency = from that time to the return of the
  client's waiting \`getEvent\`. The worker's clock is put on the bench's by the offset measured over its pipe, as in (m).
- **(h)**: a server process (\`bench/http-server.ts\`, the framework's module in \`bench/http-servers/\`) serves two apps on loopback:
  a bare one with a no-op \`POST /noop\`, and one with durably's integration with the same route and \`POST /durable\`, which
  awaits a 2-step workflow. autocannon, in the bench process, sends POSTs from ${httpShape.connections} keep-alive connections to each route in
  turn: ${httpShape.warmupSeconds} s of warm-up each, then ${httpShape.noopRounds} rounds of ${httpShape.seconds} s per no-op route, the two taking turns, before any workflow
  ran, then as many again with autocannon holding both, and a floor app (the least any request-context middleware does:
  a response header with a fresh ID and the rest run in an AsyncLocalStorage), at ${httpShape.fixedRate} requests/s in all; then ${httpShape.durableRounds} rounds of the durable route. Each figure is the median of its rounds (any failed request fails the bench).
  Before each round the server collects its garbage (\`--expose-gc\`), so that no round pays for the previous one's; it answers an
  IPC message with its CPU time (\`process.cpuUsage\`) before and after each round, which gives its CPU time per request. The middleware's cost
  (the target) is its code timed alone in the server process (\`bench/http-middleware-cpu.ts\`: what every adapter runs per request,
  prepareRequest, the response header and runInRequest, called in a tight loop on one request's facts, against the floor's fresh ID,
  header and AsyncLocalStorage.run, in 9 interleaved rounds) in percent of the bare no-op route's server CPU time per request at the fixed rate.
  Beside it, the whole server's difference: what the wired app adds to the bare no-op route's CPU time per request at the fixed rate (saturated, the wired app serves fewer
  requests per event-loop turn, so per-turn costs weigh more on each of its requests; both are shown): the server's own work, which the client (autocannon, in the same
  2 cores) and the database do not blur as they blur requests/s (the same bare route has measured 37k/s and 51k/s in two runs);
  requests/s of both are shown beside it. The durable route is compared with (b)'s workflows/s (3 steps, 200 in flight, no HTTP).
  Both processes share the machine's 2 cores with the database.
- **(d)**: durably itself puts ${fmt(dashboardShape.workflows)} workflows in a fresh system database (\`bench/dashboard.ts\`; ${dashboardShape.concurrency} in
  flight, 1 in ${dashboardShape.failEvery} fails, 1 in ${dashboardShape.rareEvery} has a rare name), and one workflow of ${dashboardShape.steps} steps. Then the admin server of
  the same process answers each read over loopback HTTP ${dashboardShape.runs} times after ${dashboardShape.warmup} warm-up; the time is from the
  request to the parsed JSON answer. Pages are 50 rows, newest first, by keyset cursor (never OFFSET).
- **(r)**: a child process (\`bench/recovery-worker.ts\`) starts ${fmt(settings.recovery.workflows)} workflows of 2 steps, each blocked in its second step
  once its first is recorded, and is SIGKILLed; a second child launches on the same system database and awaits every result. Launch is
  the time \`DBOS.launch()\` takes there; all finished is from before launch until the last result; peak RSS is that process's maxRSS.
  The ideal beside it: 2 writes per workflow (its second step and its outcome) at the raw 16-connection commit rate.
- **Order**: each backend's raw limit and workflow scenarios ((a), (b), (m), (e), (n), SQL per workflow) first, then each
  backend's queue scenarios and its raw limit again. The bench's queues are declared only for the queue scenarios: a declared queue's dequeuer runs in every launch,
  and its idle polls would show in the workflow scenarios' statement counts.
- **Event-loop stall**: a 10 ms \`setInterval\` runs during (a) and (b); the longest gap between its ticks (or until the end)
  is how long timers and I/O (an HTTP server in the same process, say) had to wait.
- **CPU**: this process's CPU time (\`process.cpuUsage\`) and the whole machine's busy time (\`/proc/stat\`, Postgres included) over the measurement.`;
}

function sqliteVersion(): string {
  return process.versions.sqlite ?? 'unknown';
}
