import { useEffect, useState } from 'react';
import { api } from '../api';

/** Names already asked for, by code: a table of twelve months of one county asks once. */
const names = new Map<string, Promise<string | null>>();

function nameOf(code: string): Promise<string | null> {
  let name = names.get(code);
  if (!name) {
    name = api<{ name: string }>(`/api/v1/regions/${code}`).then(
      (r) => r.name,
      () => null,
    );
    names.set(code, name);
  }
  return name;
}

/** A region's name from the registry (GET /regions/:code), its code until it answers or when it does not know it. */
export function RegionLabel({ code, withCode = false }: { code: string; withCode?: boolean }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void nameOf(code).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [code]);
  if (!name) return <>{code}</>;
  return withCode ? (
    <>
      {name} <span className="muted">{code}</span>
    </>
  ) : (
    <>{name}</>
  );
}
