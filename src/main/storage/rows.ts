/**
 * Typed readers for database rows. node:sqlite hands back `Record<string, SQLOutputValue>`; a
 * reader names each column with the type it must have and fails loudly (naming the table and
 * column, never the value) when the file holds something else, instead of a cast that would let
 * a wrong type travel on into the figures.
 */
import type { SQLOutputValue } from 'node:sqlite';

export type Row = Record<string, SQLOutputValue>;

export class RowShapeError extends Error {
  constructor(table: string, column: string, expected: string) {
    super(`The database row of ${table} has an unexpected ${column} (expected ${expected}).`);
    this.name = 'RowShapeError';
  }
}

/** The columns of one row of `table`, each read with its type. */
export interface Columns {
  text(column: string): string;
  textOrNull(column: string): string | null;
  int(column: string): number;
  intOrNull(column: string): number | null;
  oneOf<T extends string>(column: string, values: readonly T[]): T;
}

export function columns(table: string, row: Row): Columns {
  const int = (column: string): number => {
    const v = row[column];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
    throw new RowShapeError(table, column, 'an integer');
  };
  const text = (column: string): string => {
    const v = row[column];
    if (typeof v !== 'string') throw new RowShapeError(table, column, 'text');
    return v;
  };
  return {
    text,
    textOrNull: (column) => (row[column] === null ? null : text(column)),
    int,
    intOrNull: (column) => (row[column] === null ? null : int(column)),
    oneOf(column, values) {
      const v = row[column];
      const found = values.find((x) => x === v);
      if (found === undefined) throw new RowShapeError(table, column, `one of ${values.join(', ')}`);
      return found;
    },
  };
}

/** Every row of a result, each read by `read`. */
export function readRows<T>(table: string, rows: readonly Row[], read: (c: Columns) => T): T[] {
  return rows.map((row) => read(columns(table, row)));
}

/** The one row of a result (or undefined), read by `read`. */
export function readRow<T>(table: string, row: Row | undefined, read: (c: Columns) => T): T | undefined {
  return row === undefined ? undefined : read(columns(table, row));
}
