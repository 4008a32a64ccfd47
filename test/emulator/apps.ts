// Placeholder until this emulated service lands.
export function registerApps(): void {}
