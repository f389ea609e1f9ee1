/**
 * DBOS.registerSerialization: a custom type for the native format, registered before launch, so every value
 * this process stores or reads in that launch (recovery included) sees the same recipes.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError } from '../errors/errors.ts';
import { registerSerializationRecipe } from '../engine/serialization.ts';
import type { JSONValue, SerializationRecipe } from '../types/serialization-types.ts';
import { currentRuntime } from './runtime.ts';

export function registerSerialization<T, S extends JSONValue>(recipe: SerializationRecipe<T, S>): void {
  if (currentRuntime()) {
    throw new DBOSConflictingRegistrationError(
      `DBOS.registerSerialization(${JSON.stringify((recipe as { name?: unknown } | undefined)?.name)}) was called after ` +
        'DBOS.launch(): register serialization recipes before launch, or shut down first.',
    );
  }
  if (typeof recipe !== 'object' || recipe === null) {
    throw new DBOSConfigurationError(`DBOS.registerSerialization expects a recipe object, got ${recipe === null ? 'null' : typeof recipe}.`);
  }
  if (typeof recipe.name !== 'string' || recipe.name.trim() === '') {
    throw new DBOSConfigurationError(`A serialization recipe needs a non-empty string name, got ${JSON.stringify(recipe.name)}.`);
  }
  for (const key of ['isApplicable', 'serialize', 'deserialize'] as const) {
    if (typeof recipe[key] !== 'function') {
      throw new DBOSConfigurationError(`Serialization recipe "${recipe.name}" needs a function ${key}, got ${typeof recipe[key]}.`);
    }
  }
  registerSerializationRecipe(recipe);
}
