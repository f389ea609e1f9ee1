/**
 * Messages with real processes. Exactly-once across a crash: a receiver
 * workflow in a child consumes a message, records it and blocks; the parent
 * SIGKILLs the child; a second child with the same executor ID and the same
 * registered workflows launches, which resumes the workflow: its replayed
 * recv returns the same message, and the messages sent meanwhile come next —
 * none lost, none delivered twice. Across processes: a sender and a receiver
 * in two children ping-pong with send/recv and setEvent/getEvent, and stream
 * values to each other (on Postgres through LISTEN/NOTIFY, on SQLite through
 * the short poll). The parent sends and reads through its own launch (another
 * executor ID, so it recovers nothing) and raw SQL.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { stepOutcomes } from '../helpers/lifecycle.ts';
import {
  countByRole,
  freshLogPath,
  killAllChildren,
  readExecutions,
  removeLog,
  startChild,
} from '../processes/child-process.ts';
import { messagesTo, recordedOutput, waitForRecorded } from './fixtures/comm-support.ts';

const script = join(import.meta.dirname, 'fixtures', 'comm-worker.ts');
const testTimeout = { timeout: 90_000 };

forEachBackend('messages across processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    await DBOS.shutdown();
    removeLog(log);
  });

  /** The parent's own launch: another executor ID, and never taking over the killed child's work. */
  async function launchParent(config: DBOSConfig): Promise<void> {
    DBOS.setConfig({ ...config, executorID: 'test-parent', executorTimeoutMs: 600_000 });
    await DBOS.launch();
  }

  test('a receiver SIGKILLed after consuming a message gets the same message on recovery, and the next ones after it', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'receiver-crash-1';
    await launchParent(config);

    const first = startChild('start-receiver', [workflowID, '2'], {
      role: 'first', config, log, script, env: { DURABLY_TEST_BLOCK: '1' },
    });
    await first.waitForLine('MARK started');
    await DBOS.send(workflowID, 'm1', 'jobs');
    await first.waitForLine('MARK blocking');
    await DBOS.send(workflowID, 'm2', 'jobs'); // while the receiver is busy
    assert.deepEqual((await messagesTo(config, workflowID)).map((m) => [m.value, m.consumed]), [['m1', true], ['m2', false]]);
    const recordedBeforeKill = await waitForRecorded(workflowID, 0, 'DBOS.recv');
    assert.equal(recordedOutput(recordedBeforeKill), 'm1');

    const killed = await first.kill();
    assert.equal(killed.signal, 'SIGKILL', first.describe());
    await DBOS.send(workflowID, 'm3', 'jobs'); // while no process runs the receiver

    const recovering = startChild('recover', [workflowID], { role: 'recover', config, log, script });
    const report = await recovering.result();
    assert.deepEqual(report.result, { ok: true, value: ['m1', 'm2', 'm3'] }, recovering.describe());
    assert.equal(report.status.status, 'SUCCESS');
    assert.equal(report.status.executorId, 'local');

    const executions = readExecutions(log);
    // The replayed recv returned m1 again, in the recovering process; m1 was recorded once, before the crash.
    assert.deepEqual(countByRole(executions, 'recv-returned:m1'), { first: 1, recover: 1 });
    assert.deepEqual(countByRole(executions, 'recorded:m1'), { first: 1 });
    assert.deepEqual(countByRole(executions, 'blocking'), { first: 1, recover: 1 });
    for (const message of ['m2', 'm3']) {
      assert.deepEqual(countByRole(executions, `recv-returned:${message}`), { recover: 1 });
      assert.deepEqual(countByRole(executions, `recorded:${message}`), { recover: 1 });
    }
    // Every message consumed exactly once: three rows, all consumed, each recorded by one recv.
    assert.deepEqual((await messagesTo(config, workflowID)).map((m) => [m.value, m.consumed]), [['m1', true], ['m2', true], ['m3', true]]);
    const recvs = (await stepOutcomes(workflowID)).filter((s) => s.functionName === 'DBOS.recv');
    assert.deepEqual(recvs.map((s) => recordedOutput(s)), ['m1', 'm2', 'm3']);
    assert.deepEqual(recvs[0], recordedBeforeKill, 'the recv recorded before the kill was replayed, not recorded again');
  });

  test('a receiver SIGKILLed while waiting in recv gets the message sent while it was down', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'receiver-crash-2';
    await launchParent(config);

    const first = startChild('start-receiver', [workflowID, '0'], { role: 'first', config, log, script });
    await first.waitForLine('MARK started');
    const deadline = await waitForRecorded(workflowID, 1, 'DBOS.sleep'); // the recv is waiting
    await first.kill();
    await DBOS.send(workflowID, 'while-down', 'jobs', 'idempotent-1');
    await DBOS.send(workflowID, 'while-down', 'jobs', 'idempotent-1');

    const recovering = startChild('recover', [workflowID], { role: 'recover', config, log, script });
    const report = await recovering.result();
    assert.deepEqual(report.result, { ok: true, value: ['while-down'] }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'recv-returned:while-down'), { recover: 1 });
    assert.deepEqual(countByRole(executions, 'recorded:while-down'), { recover: 1 });
    assert.deepEqual((await messagesTo(config, workflowID)).map((m) => [m.value, m.consumed]), [['while-down', true]]);
    const steps = await stepOutcomes(workflowID);
    assert.deepEqual(steps.find((s) => s.functionID === 1), deadline, 'the recv kept the deadline recorded before the kill');
  });

  test('a sender and a receiver in different processes: messages, events and a stream go both ways promptly', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const responderID = 'responder-1';
    const rounds = 10;

    const responding = startChild('respond', [responderID, String(2 * rounds)], {
      role: 'responder', config: { ...config, executorID: 'responder' }, log, script,
    });
    await responding.waitForLine('MARK started');
    const pinging = startChild('ping', [responderID, String(rounds)], {
      role: 'pinger', config: { ...config, executorID: 'pinger' }, log, script,
    });
    const [pinger, responded] = await Promise.all([pinging.result(), responding.result()]);

    const pings = Array.from({ length: 2 * rounds }, (_, round) => `ping-${round}`);
    assert.deepEqual(responded, { ok: true, value: pings }, responding.describe());
    const pongs = pings.map((echo, round) => ({ round, echo }));
    assert.deepEqual(pinger.outside, pongs.slice(0, rounds), pinging.describe());
    assert.deepEqual(pinger.fromWorkflow, pongs.slice(rounds));
    assert.deepEqual(pinger.streamed, pings);
    // 2 × 10 round trips, each two cross-process wake-ups. Through NOTIFY (or SQLite's short poll) this takes
    // well under a second; waiting for Postgres's safety poll instead would take about a second per round trip.
    assert.ok(pinger.elapsedMs < 10_000, `${2 * rounds} cross-process round trips took ${pinger.elapsedMs} ms`);

    await launchParent(config);
    const senderSteps = await stepOutcomes(pinger.senderWorkflowID);
    assert.deepEqual(
      senderSteps.map((s) => s.functionName),
      Array.from({ length: rounds }, () => ['DBOS.send', 'DBOS.getEvent', 'DBOS.sleep']).flat(),
    );
    assert.deepEqual((await messagesTo(config, responderID)).filter((m) => !m.consumed), []);
  });
});
