// Placeholder until this emulated service lands.
export function registerEvents(): void {}
