/**
 * durably/fastify: `await app.register(fastifyPlugin, options?)` installs, for
 * every route of the app (the plugin is not encapsulated):
 * - an onRequest hook: request ID (echoed on every response), the 400/503
 *   refusals, and the rest of the request run inside durably's request context;
 * - an error handler answering durably's errors as JSON (others go on to
 *   Fastify's default handler);
 * - the lifecycle: durably is launched on `onReady` when not launched yet, and
 *   shut down on `onClose` only if this plugin launched it.
 * Only types are imported from fastify: the plugin needs nothing at run time.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DBOS } from '../api/dbos.ts';
import { clientAddress, prepareRequest, runInRequest, type DurablyHttpOptions } from './http-context.ts';
import { errorResponse } from './http-errors.ts';
import { endRequestSpan, type RequestTrace } from './request-span.ts';

export type { DurablyHttpOptions } from './http-context.ts';

const fastifyIP = (request: FastifyRequest) => request.ip;

export interface DurablyFastifyOptions extends DurablyHttpOptions {
  /**
   * Launch durably when the app is ready (default true) and shut it down when
   * the app closes. False: the application launches and shuts down durably
   * itself; requests before its launch get 503.
   */
  launch?: boolean;
}

function installRequestHook(app: FastifyInstance, options: DurablyHttpOptions): void {
  // Callback style on purpose: `done` continues Fastify's lifecycle (the other
  // hooks, body parsing, the handler), so calling it inside runInRequest makes
  // the handler and all it awaits run in the request's context. Fastify carries
  // that context across body parsing itself (an AsyncResource per parse).
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const facts = { method: request.method, url: request.url, ip: clientAddress(request, fastifyIP), headers: request.headers };
    const prepared = prepareRequest(facts, options);
    reply.header(prepared.responseHeader, prepared.requestID);
    if (!prepared.ok) {
      // Answering from the hook: `done` is not called, so no handler runs.
      void reply.code(prepared.refusal.status).send(prepared.refusal.body);
      return;
    }
    if (prepared.trace) endSpanWithResponse(request, reply, prepared.trace);
    runInRequest(prepared, done as () => void);
  });
}

/**
 * The span ends with the response (or its abort: 499). Listeners on the raw
 * response, added only to traced requests, rather than onResponse and
 * onRequestAbort hooks, which Fastify would run on every request.
 */
function endSpanWithResponse(request: FastifyRequest, reply: FastifyReply, trace: RequestTrace): void {
  const route = request.routeOptions.url;
  reply.raw.once('finish', () => endRequestSpan(trace, reply.raw.statusCode, route));
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) endRequestSpan(trace, 499, route, new Error('The client aborted the request.'));
  });
}

function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
    const response = errorResponse(error);
    // Throwing from an error handler hands the error to the parent handler: Fastify's default.
    if (!response || reply.sent) throw error;
    void reply.code(response.status).send(response.body);
  });
}

function installLifecycle(app: FastifyInstance): void {
  let launchedHere = false;
  app.addHook('onReady', async () => {
    if (DBOS.isInitialized()) return;
    await DBOS.launch();
    launchedHere = true;
  });
  // onClose runs after in-flight requests have finished; work left unfinished is recovered at the next launch.
  app.addHook('onClose', async () => {
    if (!launchedHere) return;
    launchedHere = false;
    await DBOS.shutdown();
  });
}

/** Request ID, DBOS.request, idempotency key, error mapping and lifecycle for every route of the app. */
export const fastifyPlugin: FastifyPluginAsync<DurablyFastifyOptions> = async (app, options) => {
  installRequestHook(app, options);
  installErrorHandler(app);
  if (options.launch !== false) installLifecycle(app);
};

// What fastify-plugin would set, without the runtime dependency: skip-override
// makes the hooks and error handler apply to the whole app, not a child context.
Object.assign(fastifyPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'durably',
  [Symbol.for('plugin-meta')]: { name: 'durably', fastify: '5.x' },
});
