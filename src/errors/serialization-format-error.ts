/** A stored value names a serialization format this process cannot read. Nothing was changed. */
import { DBOSError } from './errors.ts';

export class DBOSUnknownSerializationError extends DBOSError {
  readonly serialization: string;
  constructor(serialization: string, readable: readonly string[]) {
    super(
      `Cannot read a stored value in serialization format "${serialization}": this process reads ` +
        `${readable.map((name) => `"${name}"`).join(', ')}. Another program, a newer durably, or a custom ` +
        'serializer not configured here (config option "serializer") wrote it.',
      'SERIALIZATION_UNKNOWN',
    );
    this.serialization = serialization;
  }
}
