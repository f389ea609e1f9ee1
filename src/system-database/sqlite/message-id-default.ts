/**
 * SQLite's stand-in for DBOS's `message_uuid DEFAULT` (Postgres: gen_random_uuid()): a message another
 * program inserts without an ID gets a random version-4 UUID, as on Postgres. Without it the row would keep a
 * NULL primary key (SQLite allows that in a TEXT key), and recv, which marks a message consumed by its ID,
 * would deliver it again and again. SQLite cannot add a default to an existing column, hence the trigger.
 */
const hex = (bytes: number) => `lower(hex(randomblob(${bytes})))`;

/** A version-4 UUID in SQL: 8-4-4-4-12 hex digits, version nibble 4, variant nibble 8, 9, a or b. */
const randomUuid =
  `${hex(4)} || '-' || ${hex(2)} || '-4' || substr(${hex(2)}, 2) || '-' || ` +
  `substr('89ab', 1 + (abs(random()) % 4), 1) || substr(${hex(2)}, 2) || '-' || ${hex(6)}`;

export const messageIdDefault: readonly string[] = [
  `CREATE TRIGGER IF NOT EXISTS notifications_message_uuid_default AFTER INSERT ON notifications
     FOR EACH ROW WHEN NEW.message_uuid IS NULL
     BEGIN
       UPDATE notifications SET message_uuid = ${randomUuid} WHERE rowid = NEW.rowid;
     END`,
];
