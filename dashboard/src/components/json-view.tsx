/** A payload as indented JSON inside a native disclosure: keyboard- and screen-reader-friendly without script. */
export function JsonView({ value, summary }: { readonly value: unknown; readonly summary: string }) {
  return (
    <details className="json">
      <summary>{summary === '' ? 'payload' : summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
