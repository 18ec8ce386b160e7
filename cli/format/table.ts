/** A column of a plain-text table: its heading and how to show one row's cell. */
export type Column<Row> = { readonly heading: string; readonly cell: (row: Row) => string; readonly align?: 'left' | 'right' };

/**
 * Rows as lines of aligned columns (two spaces apart, the last one not padded), headed by the
 * column names: what `ls -l` and `kubectl get` print, readable and still easy to `grep`.
 */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string[] {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const widths = columns.map((column, index) => Math.max(column.heading.length, ...cells.map((line) => line[index]?.length ?? 0)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, index) => {
        const last = index === line.length - 1;
        const width = widths[index] ?? 0;
        if (columns[index]?.align === 'right') return cell.padStart(width);
        return last ? cell : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.heading)), ...cells.map(render)];
}

/** `label  value` lines with the labels aligned, for one record (a run summary). */
export function formatFields(fields: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}  ${oneLine(value)}`);
}

/** Cuts a cell to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 950 ms, 12.3 s, 4 m 05 s, 2 h 03 m: durations a person reads at a glance. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} m`;
}

/** A cell never spans lines: a newline in a message would break the table. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
