/** Fen (what we store) as yuan for people to read: 58000 → '580.00'. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}
