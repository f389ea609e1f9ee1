/**
 * A real OTLP/HTTP receiver on loopback for the export tests: a node:http
 * server that accepts JSON-encoded OTLP requests (what the *-otlp-http
 * exporters send) and keeps each one's path and decoded body.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  contentType: string | undefined;
  body: any;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = { undecodable: text.length };
      }
      requests.push({ path: request.url ?? '', contentType: request.headers['content-type'], body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback URL nothing listens on (a port just released). */
export async function deadEndpoint(): Promise<string> {
  const receiver = await startOtlpReceiver();
  await receiver.close();
  return receiver.url;
}

type OtlpAttribute = { key: string; value: Record<string, unknown> };

/** OTLP JSON attributes as a plain object (each value's one typed field). */
export function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** Every span in the received trace requests. */
export function receivedSpans(requests: ReceivedRequest[]): { name: string; traceId: string; spanId: string; attributes: Record<string, unknown> }[] {
  return requests.flatMap((request) =>
    (request.body.resourceSpans ?? []).flatMap((resource: any) =>
      resource.scopeSpans.flatMap((scope: any) =>
        scope.spans.map((span: any) => ({ name: span.name, traceId: span.traceId, spanId: span.spanId, attributes: attributesOf(span.attributes) })),
      ),
    ),
  );
}

/** Every log record in the received log requests. */
export function receivedLogs(requests: ReceivedRequest[]): { body: unknown; severityText: string; traceId?: string; spanId?: string; attributes: Record<string, unknown> }[] {
  return requests.flatMap((request) =>
    (request.body.resourceLogs ?? []).flatMap((resource: any) =>
      resource.scopeLogs.flatMap((scope: any) =>
        scope.logRecords.map((record: any) => ({
          body: Object.values(record.body ?? {})[0],
          severityText: record.severityText,
          traceId: record.traceId,
          spanId: record.spanId,
          attributes: attributesOf(record.attributes),
        })),
      ),
    ),
  );
}

/** The names of the metrics in the received metric requests. */
export function receivedMetricNames(requests: ReceivedRequest[]): string[] {
  return requests.flatMap((request) =>
    (request.body.resourceMetrics ?? []).flatMap((resource: any) =>
      resource.scopeMetrics.flatMap((scope: any) => scope.metrics.map((metric: any) => metric.name as string)),
    ),
  );
}
