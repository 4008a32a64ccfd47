// Placeholder until this emulated service lands.
export function registerStorage(): void {}
