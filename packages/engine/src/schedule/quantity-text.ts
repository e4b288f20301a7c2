/** Human quantities for reasons: `512Mi`, `1.5Gi`, `250m`, `2` (cores). */

const MEM_UNITS: readonly (readonly [string, number])[] = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

const trim = (x: number): string => String(Math.round(x * 100) / 100);

export function memoryText(bytes: number): string {
  const b = Math.max(0, bytes);
  for (const [unit, size] of MEM_UNITS) if (b >= size) return `${trim(b / size)}${unit}`;
  return `${trim(b)}B`;
}

export function cpuText(millicores: number): string {
  const m = Math.max(0, millicores);
  return m % 1000 === 0 ? String(m / 1000) : `${trim(m)}m`;
}
