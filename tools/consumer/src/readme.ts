/** The example a README shows first: its first fenced code block tagged ts, typescript, js or javascript. */
export function firstCodeBlock(markdown: string): { lang: string; code: string } | undefined {
  const match = /^```(ts|typescript|js|javascript|mjs)[^\n]*\n([\s\S]*?)^```/m.exec(markdown);
  if (match === null) return undefined;
  return { lang: match[1]!, code: match[2]! };
}
