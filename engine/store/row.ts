/** SQLite's NULL read back as TypeScript's absent value: what every store module maps rows with. */
export const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
