import type { ReactNode } from 'react';

/** A labelled input with the API's messages for its field path (e.g. `members[0].idNumber`) under it. */
export function Field({ label, path, errors, children, wide }: { label: string; path: string; errors: Record<string, string[]>; children: ReactNode; wide?: boolean }) {
  const messages = errors[path] ?? [];
  return (
    <label className={`field${messages.length ? ' invalid' : ''}`} data-field={path} style={wide ? { gridColumn: '1 / -1' } : undefined}>
      <span>{label}</span>
      {children}
      {messages.map((m, i) => (
        <span key={i} className="field-error" role="alert">
          {m}
        </span>
      ))}
    </label>
  );
}
