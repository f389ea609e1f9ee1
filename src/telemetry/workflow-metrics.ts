/**
 * durably's metrics, through `@opentelemetry/api`'s metrics.
 */
import { createNoopMeter, metrics } from '@opentelemetry/api';

/** Whether the application (or durably's OTLP export) registered a meter provider: the API's no-op one otherwise. */
export function meterProviderRegistered(): boolean {
  return metrics.getMeterProvider().getMeter('durably') !== createNoopMeter();
}
